package netguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/internal/dnstest"
)

// TestRefusePolicy checks the address policy only: no socket is opened.
func TestRefusePolicy(t *testing.T) {
	def := New(Options{})
	for _, tc := range []struct {
		addr   string
		reason string // "" means allowed
	}{
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "in this-network range 0.0.0.0/8"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"10.255.255.255", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fec0::1", "site-local"},
		{"100.64.0.1", "shared address space (CGNAT)"},
		{"100.127.255.254", "shared address space (CGNAT)"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"255.255.255.255", "broadcast"},
		{"240.0.0.1", "reserved"},
		{"254.1.2.3", "reserved"},
		{"192.0.0.8", "reserved (IETF protocol assignments)"},
		{"198.18.0.1", "reserved (benchmarking)"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"64:ff9b::a00:1", "NAT64"},
		{"::127.0.0.1", "reserved (IPv4-compatible IPv6)"},
		// IPv4-mapped IPv6 is judged as the IPv4 address it carries.
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:169.254.169.254", "link-local"},
		// Public addresses pass.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.15.255.255", ""},
		{"172.32.0.0", ""},
		{"11.0.0.1", ""},
		{"223.255.255.255", ""},
		{"::ffff:8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4007:80e::200e", ""},
	} {
		reason, refused := def.Refuse(netip.MustParseAddr(tc.addr))
		if refused != (tc.reason != "") || reason != tc.reason {
			t.Errorf("Refuse(%s) = %q, %v; want %q", tc.addr, reason, refused, tc.reason)
		}
	}
	if _, refused := def.Refuse(netip.Addr{}); !refused {
		t.Error("Refuse accepted the zero address")
	}
}

func TestRefuseAllow(t *testing.T) {
	g := New(Options{Allow: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("10.1.2.3/16"), // not masked: New masks it
		netip.MustParsePrefix("fd00::/8"),
	}})
	for _, tc := range []struct {
		addr    string
		refused bool
	}{
		{"127.0.0.1", false},
		{"::ffff:127.0.0.1", false},
		{"127.0.0.2", true},
		{"10.1.200.3", false},
		{"10.2.0.1", true},
		{"fd00::5", false},
		{"fc00::5", true},
		{"169.254.169.254", true},
		{"8.8.8.8", false},
	} {
		if _, refused := g.Refuse(netip.MustParseAddr(tc.addr)); refused != tc.refused {
			t.Errorf("Refuse(%s) = %v, want %v", tc.addr, refused, tc.refused)
		}
	}
}

// TestControl calls the dialer hook directly, as net.Dialer does before
// connect; nothing is dialled.
func TestControl(t *testing.T) {
	mine := errors.New("mine: refused to dial")
	for _, tc := range []struct {
		name     string
		o        Options
		network  string
		address  string
		want     string // "" means allowed
		sentinel error
	}{
		{"default text", Options{}, "tcp4", "127.0.0.2:8080",
			"netguard: refused to dial 127.0.0.2:8080: address is loopback (not in the allowed networks)", ErrRefused},
		{"caller's key and sentinel", Options{Key: "publisher.allow_networks", Refused: mine}, "tcp4", "10.0.0.1:443",
			"mine: refused to dial 10.0.0.1:443: address is private (not in publisher.allow_networks)", mine},
		{"zoned", Options{}, "tcp6", "[fe80::1%eth0]:443",
			"netguard: refused to dial [fe80::1%eth0]:443: address is link-local (not in the allowed networks)", ErrRefused},
		{"not an address", Options{}, "tcp4", "not-an-address",
			"netguard: refused to dial not-an-address: not an IP address and port", ErrRefused},
		{"public", Options{}, "tcp4", "93.184.215.14:443", "", nil},
		{"opened", Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, "tcp4", "127.0.0.2:80", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := New(tc.o).Control(tc.network, tc.address, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Control = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Control = %v, want %q", err, tc.want)
			}
			if !errors.Is(err, tc.sentinel) || !errors.Is(err, ErrRefused) {
				t.Errorf("errors.Is(%v, %v / ErrRefused) = false", err, tc.sentinel)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	r := dnstest.Start(t, map[string][]netip.Addr{
		"public.test.":   {netip.MustParseAddr("93.184.215.14")},
		"internal.test.": {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.7")},
	})
	g := New(Options{Key: "publisher.allow_networks"})
	for _, tc := range []struct {
		url     string
		want    string // "" means accepted
		refused bool
	}{
		{"https://public.test/x", "", false},
		{"https://93.184.215.14/x", "", false},
		{"https://internal.test/x", "internal.test resolves to 10.0.0.7, which is private (not in publisher.allow_networks)", true},
		{"http://[::1]:8080/", "::1 resolves to ::1, which is loopback (not in publisher.allow_networks)", true},
		{"https://missing.test/", "cannot resolve missing.test", false},
		{"http://a b\x7f/", "bad URL", false},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := g.CheckURL(ctx, r, tc.url)
		cancel()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v", tc.url, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("CheckURL(%q) = %v, want %q", tc.url, err, tc.want)
		case err != nil && errors.Is(err, ErrRefused) != tc.refused:
			t.Errorf("CheckURL(%q): errors.Is(ErrRefused) = %v, want %v", tc.url, !tc.refused, tc.refused)
		}
	}
}

// TestDialer dials a real loopback server through the guard.
func TestDialer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	get := func(g *Guard) error {
		c := &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: g.Dialer(5 * time.Second).DialContext}}
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(New(Options{})); !errors.Is(err, ErrRefused) {
		t.Errorf("default guard: GET = %v, want a refusal", err)
	}
	if err := get(New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})); err != nil {
		t.Errorf("127.0.0.1 opened: GET = %v", err)
	}
}

func TestStripURL(t *testing.T) {
	boom := errors.New("boom")
	err := StripURL(&url.Error{Op: "Post", URL: "https://user:secret@hooks.example/in?token=t", Err: boom})
	if err != boom {
		t.Errorf("StripURL = %v, want the wrapped error alone", err)
	}
	if err := StripURL(boom); err != boom {
		t.Errorf("StripURL of a plain error = %v", err)
	}
}
