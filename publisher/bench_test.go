package publisher

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/crier/crier/article"
)

// BenchmarkPublish measures the publish step alone: read the article's
// record, claim the content hash and the record, publish with Nats-Msg-Id
// and await the PubAck, record both claims. The server is embedded,
// in-process, with file storage.
func BenchmarkPublish(b *testing.B) {
	f := newFixture(b, 0)
	ctx := context.Background()
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := []string{"Paragraphe numéro " + strconv.Itoa(i) + " d'un article de taille ordinaire, assez long pour ressembler à une vraie dépêche."}
		hash := article.HashBody(body)
		a := &article.Article{
			Schema: article.SchemaVersion, ID: article.NewID("", hash), Title: "Titre", Body: body,
			BodyHTML: "<p>" + body[0] + "</p>", Published: now, Ingested: now, Language: "fr", ContentHash: hash,
		}
		if _, err := f.pub.Publish(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkPublishRevision measures a correction: read the article's
// record, claim the next revision, publish, record it.
func BenchmarkPublishRevision(b *testing.B) {
	f := newFixture(b, 0)
	ctx := context.Background()
	now := time.Now()
	id := article.NewID("https://example.org/a", "")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := []string{"Paragraphe corrigé " + strconv.Itoa(i) + " d'un article de taille ordinaire, assez long pour ressembler à une vraie dépêche."}
		a := &article.Article{
			Schema: article.SchemaVersion, ID: id, URL: "https://example.org/a", Title: "Titre", Body: body,
			BodyHTML: "<p>" + body[0] + "</p>", Published: now, Ingested: now, Language: "fr", ContentHash: article.HashBody(body),
		}
		if res, err := f.pub.Publish(ctx, a); err != nil || res.Revision != i+1 {
			b.Fatalf("revision %d: %+v %v", i+1, res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "revisions/s")
}
