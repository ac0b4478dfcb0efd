package dnstest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/crier/crier/internal/dnstest"
)

// many has more A records than fit the 1232 bytes Go's client accepts over
// UDP, so its lookup must go over TCP.
var many = func() []netip.Addr {
	var addrs []netip.Addr
	for i := range 100 {
		addrs = append(addrs, netip.AddrFrom4([4]byte{127, 0, 1, byte(i)}))
	}
	return addrs
}()

func records() map[string][]netip.Addr {
	return map[string][]netip.Addr{
		"v4.example.test":     {netip.MustParseAddr("127.0.0.2")},
		"v6.example.test.":    {netip.MustParseAddr("::1")},
		"Mixed.Example.Test":  {netip.MustParseAddr("127.0.0.3"), netip.MustParseAddr("::1")},
		"mapped.example.test": {netip.MustParseAddr("::ffff:127.0.0.4")},
		"noaddr.example.test": {},
		"many.example.test":   many,
	}
}

// networks wraps r's Dial to record the networks Go's client dials.
func networks(r *net.Resolver) func() []string {
	var mu sync.Mutex
	var seen []string
	dial := r.Dial
	r.Dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		mu.Lock()
		seen = append(seen, network)
		mu.Unlock()
		return dial(ctx, network, address)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

func TestLookupNetIP(t *testing.T) {
	r := dnstest.Start(t, records())
	seen := networks(r)

	tests := []struct {
		name, network, host string
		want                []string
		notFound            bool
		tcp                 bool // the answer needs a TCP retry
	}{
		{name: "A", network: "ip", host: "v4.example.test", want: []string{"127.0.0.2"}},
		{name: "A only", network: "ip4", host: "v4.example.test", want: []string{"127.0.0.2"}},
		{name: "AAAA", network: "ip", host: "v6.example.test", want: []string{"::1"}},
		{name: "AAAA only", network: "ip6", host: "v6.example.test", want: []string{"::1"}},
		{name: "mixed", network: "ip", host: "mixed.example.test", want: []string{"127.0.0.3", "::1"}},
		{name: "mixed, A only", network: "ip4", host: "mixed.example.test", want: []string{"127.0.0.3"}},
		{name: "mixed, AAAA only", network: "ip6", host: "mixed.example.test", want: []string{"::1"}},
		{name: "v4-mapped record is an A", network: "ip", host: "mapped.example.test", want: []string{"127.0.0.4"}},
		{name: "upper-case query", network: "ip", host: "V4.EXAMPLE.TEST", want: []string{"127.0.0.2"}},
		{name: "rooted query", network: "ip", host: "v4.example.test.", want: []string{"127.0.0.2"}},
		{name: "unknown name", network: "ip", host: "nothere.example.test", notFound: true},
		{name: "name without address", network: "ip", host: "noaddr.example.test", notFound: true},
		{name: "no address of the family", network: "ip6", host: "v4.example.test", notFound: true},
		{name: "truncated, retried over TCP", network: "ip4", host: "many.example.test", want: strs(many), tcp: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(seen())
			addrs, err := r.LookupNetIP(context.Background(), tt.network, tt.host)
			if tt.notFound {
				var dnsErr *net.DNSError
				if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
					t.Fatalf("LookupNetIP(%q, %q) = %v, %v; want a not-found *net.DNSError", tt.network, tt.host, addrs, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LookupNetIP(%q, %q): %v", tt.network, tt.host, err)
			}
			got := strs(addrs)
			slices.Sort(got) // Go orders them by RFC 6724
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("LookupNetIP(%q, %q) = %v, want %v", tt.network, tt.host, got, want)
			}
			if gotTCP := slices.Contains(seen()[before:], "tcp"); gotTCP != tt.tcp {
				t.Errorf("dialed %v, want TCP %v", seen()[before:], tt.tcp)
			}
		})
	}
}

// TestResponses checks the packets themselves, which Go's resolver hides:
// NXDOMAIN and an empty NOERROR both come out of it as "not found".
func TestResponses(t *testing.T) {
	r := dnstest.Start(t, records())

	tests := []struct {
		name    string
		network string // "udp" or "tcp"
		qname   string
		qtype   dnsmessage.Type
		edns    bool
		rcode   dnsmessage.RCode
		answers int
		tc      bool
	}{
		{name: "A", network: "udp", qname: "v4.example.test.", qtype: dnsmessage.TypeA, edns: true, answers: 1},
		{name: "AAAA", network: "udp", qname: "v6.example.test.", qtype: dnsmessage.TypeAAAA, edns: true, answers: 1},
		{name: "AAAA of an A-only name", network: "udp", qname: "v4.example.test.", qtype: dnsmessage.TypeAAAA, edns: true},
		{name: "A of a name without address", network: "udp", qname: "noaddr.example.test.", qtype: dnsmessage.TypeA},
		{name: "other type", network: "udp", qname: "v4.example.test.", qtype: dnsmessage.TypeTXT},
		{name: "mixed case", network: "udp", qname: "mIxEd.example.TEST.", qtype: dnsmessage.TypeA, answers: 1},
		{name: "unknown name", network: "udp", qname: "nothere.example.test.", qtype: dnsmessage.TypeA, rcode: dnsmessage.RCodeNameError},
		{name: "unknown name, other type", network: "udp", qname: "nothere.example.test.", qtype: dnsmessage.TypeMX, rcode: dnsmessage.RCodeNameError},
		{name: "too big for EDNS over UDP", network: "udp", qname: "many.example.test.", qtype: dnsmessage.TypeA, edns: true, tc: true},
		{name: "too big for 512 bytes over UDP", network: "udp", qname: "many.example.test.", qtype: dnsmessage.TypeA, tc: true},
		{name: "whole over TCP", network: "tcp", qname: "many.example.test.", qtype: dnsmessage.TypeA, edns: true, answers: len(many)},
		{name: "over TCP", network: "tcp", qname: "v4.example.test.", qtype: dnsmessage.TypeA, answers: 1},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := uint16(1000 + i)
			q := dnsmessage.Question{Name: dnsmessage.MustNewName(tt.qname), Type: tt.qtype, Class: dnsmessage.ClassINET}
			resp := exchange(t, r, tt.network, id, q, tt.edns)
			// Go's client takes an empty answer without AA or RA and
			// without additional records for a lame referral.
			if resp.Header.ID != id || !resp.Header.Response || !resp.Header.Authoritative {
				t.Errorf("header %+v, want an authoritative response with ID %d", resp.Header, id)
			}
			if len(resp.Questions) != 1 || resp.Questions[0] != q {
				t.Errorf("questions %v, want %v echoed", resp.Questions, q)
			}
			if resp.Header.RCode != tt.rcode || resp.Header.Truncated != tt.tc || len(resp.Answers) != tt.answers {
				t.Errorf("rcode %v, truncated %v, %d answers; want %v, %v, %d",
					resp.Header.RCode, resp.Header.Truncated, len(resp.Answers), tt.rcode, tt.tc, tt.answers)
			}
			for _, a := range resp.Answers {
				if a.Header.Type != tt.qtype || a.Header.Name != q.Name {
					t.Errorf("answer %v does not answer %v", a.Header, q)
				}
			}
		})
	}
}

func TestMalformedQuery(t *testing.T) {
	r := dnstest.Start(t, records())
	c, err := r.Dial(context.Background(), "udp", "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A header announcing one question, and no question.
	if _, err := c.Write([]byte{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 512)
	n, err := c.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	var p dnsmessage.Parser
	h, err := p.Start(b[:n])
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != 0x1234 || !h.Response || h.RCode != dnsmessage.RCodeFormatError {
		t.Errorf("header %+v, want FORMERR with ID 0x1234", h)
	}
}

func TestStopsOnCleanup(t *testing.T) {
	var r *net.Resolver
	t.Run("server", func(t *testing.T) {
		r = dnstest.Start(t, records())
		if _, err := r.LookupNetIP(context.Background(), "ip", "v4.example.test"); err != nil {
			t.Fatal(err)
		}
	})
	addrs, err := r.LookupNetIP(context.Background(), "ip", "v4.example.test")
	if err == nil {
		t.Fatalf("LookupNetIP after cleanup = %v, want an error", addrs)
	}
}

// exchange sends one query to the server behind r, through r's own Dial.
func exchange(t *testing.T, r *net.Resolver, network string, id uint16, q dnsmessage.Question, edns bool) dnsmessage.Message {
	t.Helper()
	m := dnsmessage.Message{Header: dnsmessage.Header{ID: id, RecursionDesired: true}, Questions: []dnsmessage.Question{q}}
	if edns {
		var opt dnsmessage.ResourceHeader
		if err := opt.SetEDNS0(1232, dnsmessage.RCodeSuccess, false); err != nil {
			t.Fatal(err)
		}
		m.Additionals = []dnsmessage.Resource{{Header: opt, Body: &dnsmessage.OPTResource{}}}
	}
	query, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Dial(context.Background(), network, "192.0.2.1:53") // the address is ignored
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var resp []byte
	if network == "tcp" {
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(query))), query...)); err != nil {
			t.Fatal(err)
		}
		var size [2]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			t.Fatal(err)
		}
		resp = make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(c, resp); err != nil {
			t.Fatal(err)
		}
	} else {
		if _, err := c.Write(query); err != nil {
			t.Fatal(err)
		}
		resp = make([]byte, 65535)
		n, err := c.Read(resp)
		if err != nil {
			t.Fatal(err)
		}
		resp = resp[:n]
	}
	var out dnsmessage.Message
	if err := out.Unpack(resp); err != nil {
		t.Fatalf("unpacking the response: %v", err)
	}
	return out
}

// TestDial checks the resolver inside a real dial through net.Dialer: the
// name reaches an httptest server, and Control sees the resolved address,
// which is where an SSRF guard refuses.
func TestDial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "reached")
	}))
	t.Cleanup(srv.Close)
	srvAddr := netip.MustParseAddrPort(srv.Listener.Addr().String())

	r := dnstest.Start(t, map[string][]netip.Addr{
		"web.example.test":      {srvAddr.Addr()},
		"internal.example.test": {netip.MustParseAddr("127.0.0.2")},
	})
	errRefused := errors.New("refused by the guard")

	tests := []struct {
		name    string
		host    string
		refuse  netip.Addr // Control refuses this address
		wantErr error
		want    string // the address Control saw
	}{
		{name: "reaches the server", host: "web.example.test", want: srvAddr.String()},
		{name: "guard refuses after resolution", host: "internal.example.test",
			refuse: netip.MustParseAddr("127.0.0.2"), wantErr: errRefused,
			want: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), srvAddr.Port()).String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var saw []string
			d := &net.Dialer{
				Resolver: r,
				Control: func(_, address string, _ syscall.RawConn) error {
					mu.Lock()
					saw = append(saw, address)
					mu.Unlock()
					if ap, err := netip.ParseAddrPort(address); err == nil && ap.Addr() == tt.refuse {
						return errRefused
					}
					return nil
				},
			}
			client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
			t.Cleanup(client.CloseIdleConnections)

			url := fmt.Sprintf("http://%s/", net.JoinHostPort(tt.host, fmt.Sprint(srvAddr.Port())))
			resp, err := client.Get(url)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("GET %s: %v, want %v", url, err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("GET %s: %v", url, err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(body) != "reached" {
					t.Fatalf("GET %s: %q, %v; want %q", url, body, err, "reached")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(saw, []string{tt.want}) {
				t.Errorf("Control saw %v, want [%s]", saw, tt.want)
			}
		})
	}
}

func strs(addrs []netip.Addr) []string {
	var s []string
	for _, a := range addrs {
		s = append(s, a.String())
	}
	return s
}
