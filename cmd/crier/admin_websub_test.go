package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/subscribers"
)

// A WebSub subscription is listed and shown with its protocol, topic and
// lease, its hub.secret as a bare fingerprint (it is no whsec_ key), and
// no webhook payload mode.
func TestWebSubEndpointText(t *testing.T) {
	ep := subscribers.Endpoint{
		Name: "websub-0123456789abcdef", Origin: subscribers.OriginWebSub, Protocol: subscribers.ProtocolWebSub,
		URL: "http://reader.example/cb", Topic: "http://crier.test/feeds/tag/zola.atom", Tags: []string{"zola"},
		HubSecret: "the subscriber's secret", Expires: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
	}.Redacted()
	if got, want := payloadText(ep), "websub http://crier.test/feeds/tag/zola.atom until 2026-12-01T10:00:00Z"; got != want {
		t.Errorf("list cell %q, want %q", got, want)
	}
	if got := payloadText(subscribers.Endpoint{}); got != "full" {
		t.Errorf("webhook list cell %q, want full", got)
	}
	var b bytes.Buffer
	printEndpoint(&b, ep, &subscribers.Status{})
	show := b.String()
	for _, want := range []string{`(?m)^protocol\s+websub`, `(?m)^topic\s+http://crier\.test/feeds/tag/zola\.atom$`, `(?m)^lease ends\s+2026-12-01T10:00:00Z$`, `(?m)^hub secret\s+…sha256:[0-9a-f]{8}$`} {
		if !regexp.MustCompile(want).MatchString(show) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	for _, bad := range []string{"whsec_", "payload", "the subscriber's secret"} {
		if strings.Contains(show, bad) {
			t.Errorf("show has %q:\n%s", bad, show)
		}
	}
}
