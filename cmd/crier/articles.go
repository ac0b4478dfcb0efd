package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crier/crier/admin"
)

func articleSubcommands() []subcommand {
	return []subcommand{
		{"list", "[--limit N] [--json]", "List the newest articles, newest first, with their revision.", articlesList},
		{"show", "ID [--json]", "Show an article's newest revision, or its retraction.", articlesShow},
		{"retract", "ID --reason TEXT", "Retract an article: feeds drop it, its page answers 410 Gone, webhooks get article.retracted.", articlesRetract},
	}
}

func articlesCmd(ctx context.Context, env *environment, args []string) int {
	return group(ctx, env, "articles", "List, inspect and retract articles through the admin API.", articleSubcommands(), args)
}

func articlePath(id string, rest ...string) string {
	return "/admin/articles/" + strings.Join(append([]string{url.PathEscape(id)}, rest...), "/")
}

func articlesList(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "[--limit N] [--json]", "List the newest articles, newest first, with their revision.")
	cf := addClientFlags(fs)
	limit := fs.Int("limit", 50, "most articles to list, 1 to 1000")
	if _, code, done := parseArgs(fs, env, args, 0); done {
		return code
	}
	var list admin.ArticleList
	code, table := cf.call(ctx, env, cmd, http.MethodGet, "/admin/articles?limit="+strconv.Itoa(*limit), nil, &list)
	if !table {
		return code
	}
	tw := newTable(env.stdout)
	fmt.Fprintln(tw, "ID\tREVISION\tPUBLISHED\tSOURCE\tTITLE")
	for _, a := range list.Articles {
		published := a.Published.Format(time.RFC3339)
		if a.PublishedEstimated {
			published = "undated" // the page gave no date
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", a.ID, a.Revision, published, orElse(a.Source, "-"), a.Title)
	}
	tw.Flush()
	return exitOK
}

func articlesShow(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "ID [--json]", "Show an article's newest revision, or its retraction.")
	cf := addClientFlags(fs)
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	return articleCall(ctx, env, cf, cmd, http.MethodGet, articlePath(pos[0]), nil)
}

func articlesRetract(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "ID --reason TEXT", "Retract an article (a legal takedown, a wrong article). A tombstone goes on the stream:\nfeeds drop the article and Atom feeds announce its deletion (RFC 6721), its page answers\n410 Gone with the reason, webhooks get article.retracted. Later inputs of it are refused.")
	cf := addClientFlags(fs)
	reason := fs.String("reason", "", "why, shown to readers (required)")
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	if strings.TrimSpace(*reason) == "" {
		fmt.Fprintf(env.stderr, "crier %s: --reason is required\n", cmd)
		return exitUsage
	}
	return articleCall(ctx, env, cf, cmd, http.MethodPost, articlePath(pos[0], "retract"), admin.RetractRequest{Reason: *reason})
}

// articleCall runs a call answered by an article's state and prints it.
func articleCall(ctx context.Context, env *environment, cf *clientFlags, cmd, method, path string, in any) int {
	var st admin.ArticleState
	code, table := cf.call(ctx, env, cmd, method, path, in, &st)
	if !table {
		return code
	}
	tw := newTable(env.stdout)
	fmt.Fprintf(tw, "id:\t%s\n", st.ID)
	fmt.Fprintf(tw, "status:\t%s\n", st.Status)
	if st.Revision > 0 {
		fmt.Fprintf(tw, "revision:\t%d\n", st.Revision)
	}
	if a := st.Article; a != nil {
		fmt.Fprintf(tw, "title:\t%s\n", a.Title)
		if a.PublishedEstimated {
			fmt.Fprintf(tw, "published:\tundated (received %s)\n", a.Ingested.Format(time.RFC3339))
		} else {
			fmt.Fprintf(tw, "published:\t%s\n", a.Published.Format(time.RFC3339))
		}
		if !a.Updated.IsZero() {
			fmt.Fprintf(tw, "updated:\t%s\n", a.Updated.Format(time.RFC3339))
		}
		fmt.Fprintf(tw, "source:\t%s\n", orElse(a.Source, "-"))
		fmt.Fprintf(tw, "url:\t%s\n", orElse(a.URL, "-"))
		fmt.Fprintf(tw, "story:\t%s\n", orElse(a.StoryID, "-"))
	}
	if !st.Retracted.IsZero() {
		fmt.Fprintf(tw, "retracted:\t%s\n", st.Retracted.Format(time.RFC3339))
		fmt.Fprintf(tw, "reason:\t%s\n", st.RetractionReason)
	}
	tw.Flush()
	return exitOK
}
