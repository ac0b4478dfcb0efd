package subscribers

import (
	"net/http"
	"testing"

	"github.com/crier/crier/broker/brokertest"
)

// TestTransportUsesNoProxy: a proxy would dial on crier's behalf, past the
// SSRF guard, so the client ignores HTTP_PROXY and friends, and follows no
// redirect.
func TestTransportUsesNoProxy(t *testing.T) {
	b, top := brokertest.Start(t)
	m, err := New(b.JS, Options{Topology: top}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := m.client.Transport.(*http.Transport)
	if !ok || tr.Proxy != nil || tr.DialContext == nil {
		t.Errorf("transport %T: proxy set or no guarded dialer", m.client.Transport)
	}
	if m.client.CheckRedirect == nil || m.client.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("the client would follow redirects")
	}
}
