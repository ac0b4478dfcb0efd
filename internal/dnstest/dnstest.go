// Package dnstest runs a tiny authoritative DNS server on loopback, for tests
// only. It lets a test resolve made-up host names (say "feed.example.test" to
// 127.0.0.2) through Go's real resolver and dialer, without touching
// /etc/hosts and without sending a packet outside 127.0.0.0/8.
package dnstest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// ttl is the time to live of every answer, in seconds. Go's resolver does not
// cache, so its value only matters to readers of a packet capture.
const ttl = 60

// Start starts a DNS server on 127.0.0.1 (UDP and TCP, each on a random port)
// that answers A and AAAA queries for the names in records, and stops it when
// the test ends. Names match case-insensitively, with or without the trailing
// dot. A known name without an address of the asked family gets an empty
// answer, an unknown name NXDOMAIN, any other query type an empty answer.
//
// The returned resolver uses Go's own DNS client and sends every query to this
// server, whatever name servers /etc/resolv.conf lists. Go still reads
// /etc/hosts first, so pick names that are not in it (the .test top-level
// domain is reserved for this).
func Start(tb testing.TB, records map[string][]netip.Addr) *net.Resolver {
	tb.Helper()
	s := &server{tb: tb, records: make(map[string][]netip.Addr, len(records)), conns: make(map[net.Conn]struct{})}
	for name, addrs := range records {
		key := canonical(name)
		if _, err := dnsmessage.NewName(key); err != nil {
			tb.Fatalf("dnstest: name %q: %v", name, err)
		}
		list := s.records[key] // names differing in case or the dot merge
		for _, a := range addrs {
			if !a.IsValid() {
				tb.Fatalf("dnstest: name %q: invalid address", name)
			}
			list = append(list, a.Unmap().WithZone(""))
		}
		s.records[key] = list // even if empty: the name exists
	}

	var lc net.ListenConfig
	udp, err := lc.ListenPacket(context.Background(), "udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("dnstest: %v", err)
	}
	tcp, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		udp.Close()
		tb.Fatalf("dnstest: %v", err)
	}
	s.udp, s.tcp = udp, tcp
	s.wg.Add(2)
	go s.serveUDP()
	go s.serveTCP()
	tb.Cleanup(s.close)

	udpAddr, tcpAddr := udp.LocalAddr().String(), tcp.Addr().String()
	return &net.Resolver{
		PreferGo: true,
		// Dial ignores the server Go picked from /etc/resolv.conf: every
		// query goes to this server, so none leaves loopback.
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			if strings.HasPrefix(network, "tcp") {
				return d.DialContext(ctx, "tcp", tcpAddr)
			}
			return d.DialContext(ctx, "udp", udpAddr)
		},
	}
}

// server answers queries from records until close.
type server struct {
	tb      testing.TB
	records map[string][]netip.Addr // keyed by canonical name
	udp     net.PacketConn
	tcp     net.Listener
	wg      sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{} // open TCP connections, closed by close
}

// close stops both listeners and any open TCP connection, and waits for the
// serving goroutines, so none outlives the test (t.Logf after it panics).
func (s *server) close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.udp.Close()
	s.tcp.Close()
	s.wg.Wait()
}

func (s *server) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, addr, err := s.udp.ReadFrom(buf)
		if err != nil {
			s.logUnlessClosed(err)
			return
		}
		resp := s.answer(buf[:n], true)
		if resp == nil {
			continue
		}
		if _, err := s.udp.WriteTo(resp, addr); err != nil {
			s.logUnlessClosed(err)
		}
	}
}

func (s *server) serveTCP() {
	defer s.wg.Done()
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			s.logUnlessClosed(err)
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

// serveConn answers length-prefixed queries (RFC 1035 section 4.2.2) on one
// TCP connection until the client closes it.
func (s *server) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	var size [2]byte
	for {
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return
		}
		query := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(c, query); err != nil {
			return
		}
		resp := s.answer(query, false)
		if resp == nil {
			return
		}
		out := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(resp)), uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// answer returns the packed response to query, or nil when the query is too
// broken to answer. Over UDP a response larger than the client accepts (512
// bytes, or the EDNS(0) size it advertised) is replaced by an empty one with
// the TC bit set, so the client retries over TCP.
func (s *server) answer(query []byte, udp bool) []byte {
	var q dnsmessage.Message
	if err := q.Unpack(query); err != nil {
		var p dnsmessage.Parser
		h, err := p.Start(query)
		if err != nil || h.Response {
			return nil
		}
		return pack(&dnsmessage.Message{Header: dnsmessage.Header{ID: h.ID, Response: true, OpCode: h.OpCode, RCode: dnsmessage.RCodeFormatError}})
	}
	if q.Header.Response {
		return nil
	}
	resp := dnsmessage.Message{
		Header: dnsmessage.Header{
			ID:               q.Header.ID,
			Response:         true,
			OpCode:           q.Header.OpCode,
			RecursionDesired: q.Header.RecursionDesired,
			// Go's client takes an empty NOERROR answer that is neither
			// authoritative nor recursive for a lame referral and tries
			// the next server.
			Authoritative:      true,
			RecursionAvailable: true,
		},
		Questions: q.Questions,
	}

	limit := 512
	for _, rr := range q.Additionals {
		if rr.Header.Type != dnsmessage.TypeOPT {
			continue
		}
		limit = max(limit, int(rr.Header.Class)) // OPT's class is the UDP size
		var opt dnsmessage.ResourceHeader
		if err := opt.SetEDNS0(1232, dnsmessage.RCodeSuccess, false); err == nil {
			resp.Additionals = []dnsmessage.Resource{{Header: opt, Body: &dnsmessage.OPTResource{}}}
		}
		break
	}

	switch {
	case q.Header.OpCode != 0:
		resp.Header.RCode = dnsmessage.RCodeNotImplemented
	case len(q.Questions) != 1:
		resp.Header.RCode = dnsmessage.RCodeFormatError
	default:
		resp.Header.RCode, resp.Answers = s.lookup(q.Questions[0])
	}

	b := pack(&resp)
	if udp && len(b) > limit {
		resp.Header.Truncated = true
		resp.Answers = nil
		b = pack(&resp)
	}
	return b
}

// lookup returns the response code and answers for one question.
func (s *server) lookup(q dnsmessage.Question) (dnsmessage.RCode, []dnsmessage.Resource) {
	addrs, ok := s.records[canonical(q.Name.String())]
	if !ok {
		return dnsmessage.RCodeNameError, nil
	}
	if q.Class != dnsmessage.ClassINET {
		return dnsmessage.RCodeSuccess, nil
	}
	var answers []dnsmessage.Resource
	for _, a := range addrs {
		h := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: dnsmessage.ClassINET, TTL: ttl}
		switch {
		case q.Type == dnsmessage.TypeA && a.Is4():
			answers = append(answers, dnsmessage.Resource{Header: h, Body: &dnsmessage.AResource{A: a.As4()}})
		case q.Type == dnsmessage.TypeAAAA && a.Is6():
			answers = append(answers, dnsmessage.Resource{Header: h, Body: &dnsmessage.AAAAResource{AAAA: a.As16()}})
		}
	}
	return dnsmessage.RCodeSuccess, answers
}

// pack packs m, which this package always builds valid.
func pack(m *dnsmessage.Message) []byte {
	b, err := m.Pack()
	if err != nil {
		panic("dnstest: packing a response: " + err.Error())
	}
	return b
}

func (s *server) logUnlessClosed(err error) {
	if !errors.Is(err, net.ErrClosed) {
		s.tb.Logf("dnstest: %v", err)
	}
}

// canonical returns name in lower case (ASCII only, as DNS compares names)
// with a trailing dot.
func canonical(name string) string {
	name = strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}
