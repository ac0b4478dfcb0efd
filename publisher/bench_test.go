package publisher

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// BenchmarkRunInbox measures inbox passes of 500 JSON files, each a distinct
// article of about 200 words (none a duplicate or near duplicate of
// another): normalized on GOMAXPROCS goroutines, then published one by
// one, each recorded in the inbox ledger.
func BenchmarkRunInbox(b *testing.B) {
	const files = 500
	f := newFixture(b, 0)
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("government minister election council river storm market bank court police city school hospital " +
		"budget energy water village farmer company worker union strike festival museum bridge railway airport harbour " +
		"forest mountain island coast border treaty summit report inquiry vaccine virus climate drought flood fire")
	sentence := func() string {
		w := make([]string, 12)
		for i := range w {
			w[i] = words[r.IntN(len(words))] + strconv.Itoa(r.IntN(1000))
		}
		return strings.Join(w, " ") + "."
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for range files {
			n++
			paras := make([]string, 4)
			for i := range paras {
				paras[i] = sentence() + " " + sentence() + " " + sentence() + " " + sentence()
			}
			data, err := json.Marshal(map[string]any{
				"title": "Report " + strconv.Itoa(n) + ": " + sentence(), "text": strings.Join(paras, "\n\n"), "language": "en",
				"url": "https://example.org/" + strconv.Itoa(n), "published": "2026-12-01T08:00:00Z",
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(f.inbox, strconv.Itoa(n)+".json"), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		st, err := f.pub.RunInbox(context.Background())
		if err != nil || st.Published != files {
			b.Fatalf("%+v %v", st, err)
		}
	}
	b.ReportMetric(float64(b.N*files)/b.Elapsed().Seconds(), "files/s")
}
