package feeds_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// TestStories: articles of one story name each other on their pages
// ("Also reported by"), and JSON Feed items carry the story id (in the
// _crier extension) and the tags, valid under the JSON Feed 1.1 schema.
func TestStories(t *testing.T) {
	e := newEnv(t)
	day := time.Date(2022, 12, 19, 20, 0, 0, 0, time.UTC)
	first := newArticle("Poutine à Minsk", "fr", "euronews", "", day)
	rewrite := newArticle("Poutine : « pas intérêt »", "fr", "L'Expression", "", day.Add(2*time.Hour))
	other := newArticle("Autre chose", "fr", "euronews", "", day.Add(3*time.Hour))
	first.StoryID, rewrite.StoryID, other.StoryID = first.ID, first.ID, other.ID
	first.Tags = []string{"Vladimir Poutine", "Minsk"}
	s := e.startSite(feeds.Options{})
	for _, a := range []*article.Article{first, rewrite, other} {
		e.publish(a)
	}
	s.waitFor(first.ID, rewrite.ID, other.ID)

	page := string(s.get("/articles/" + first.ID).body)
	if !strings.Contains(page, "Also reported by") || !strings.Contains(page, "/articles/"+rewrite.ID) || strings.Contains(page, "/articles/"+other.ID) {
		t.Errorf("first article's page does not list exactly its story's other article:\n%s", page)
	}
	if page := string(s.get("/articles/" + other.ID).body); strings.Contains(page, "Also reported by") {
		t.Errorf("an article alone in its story lists others")
	}

	doc := s.get("/feeds/all.json").body
	validateJSONFeed(t, "stories", doc)
	var jf struct {
		Items []struct {
			ID    string   `json:"id"`
			Tags  []string `json:"tags"`
			Crier struct {
				StoryID string `json:"story_id"`
			} `json:"_crier"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &jf); err != nil {
		t.Fatal(err)
	}
	stories := map[string]string{}
	for _, it := range jf.Items {
		stories[it.ID] = it.Crier.StoryID
		if it.ID == feeds.ItemID(first.ID) && strings.Join(it.Tags, ",") != "Vladimir Poutine,Minsk" {
			t.Errorf("tags = %q", it.Tags)
		}
	}
	if stories[feeds.ItemID(first.ID)] != first.ID || stories[feeds.ItemID(rewrite.ID)] != first.ID || stories[feeds.ItemID(other.ID)] != other.ID {
		t.Errorf("story ids in the JSON Feed: %v", stories)
	}
}
