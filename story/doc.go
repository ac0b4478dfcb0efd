// Package story recognises near-duplicate articles and groups the articles
// that report one event into stories.
//
// Each article gets a Fingerprint: a MinHash signature (NumHashes values)
// of the 4-word shingles of its lowercased body, and its content terms:
// words without the language's stopwords, folded and cut to six letters,
// weighted 1+ln(tf), title words counted twice, names (words capitalized
// inside sentences) scaled down to a quarter.
//
// Near duplicate: the estimated Jaccard similarity of the shingle sets is
// at least 0.8: the same text with other boilerplate or a few edited words
// keeps most shingles (seed 000 with a new header, footer and two edits:
// 0.88), while an outlet's rewrite of the same dispatch keeps few (0.07 to
// 0.34 among the seeds).
//
// Same story: the cosine similarity of the content terms, times a time
// factor (1 within a day, falling to 0.5 at the 7-day window, 0 beyond),
// is at least 0.35: a match needs enough shared words, the more the
// further apart in time. Names weigh little, so two events with the same
// people score low (0.07); different languages never match. An article
// whose date is only estimated (the page had none) is trusted in time when
// near, and needs a score of 0.5 when far. The story ID is the one of the
// best-matching earlier article, else the article's own. Stopwords come
// from package stopwords.
//
// Candidates come from an Index, never from a scan: an article is posted
// under 10 LSH band keys (4 MinHash values each) and its 8 heaviest terms;
// a match reads those 18 bounded posting lists and compares the 10
// articles sharing the most keys. Postings older than the window are
// dropped. MemoryIndex serves one process; KVIndex records each article in
// a JetStream key-value bucket shared by replicas, and each replica holds
// the posting lists in memory, built from the bucket's records and kept
// current by following it.
package story
