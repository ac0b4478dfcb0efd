package subscribers

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestParseSecret(t *testing.T) {
	key32 := []byte("0123456789abcdef0123456789abcdef")
	enc := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	for _, tc := range []struct {
		name, in string
		want     []byte
		errHas   string
	}{
		{"valid 32 bytes", "whsec_" + enc(key32), key32, ""},
		{"valid 24 bytes", "whsec_" + enc(key32[:24]), key32[:24], ""},
		{"valid 64 bytes", "whsec_" + enc(append(key32, key32...)), append(key32, key32...), ""},
		{"library example", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", nil, ""},
		{"no prefix", enc(key32), nil, "must start with"},
		{"wrong prefix", "whsk_" + enc(key32), nil, "must start with"},
		{"empty", "", nil, "must start with"},
		{"prefix only", "whsec_", nil, "0 bytes"},
		{"not base64", "whsec_not*base64!!", nil, "not valid standard base64"},
		{"url encoding", "whsec_" + base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe}), nil, "not valid standard base64"},
		{"too short", "whsec_" + enc(key32[:16]), nil, "16 bytes"},
		{"too long", "whsec_" + enc(make([]byte, 65)), nil, "65 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSecret(tc.in)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errHas)
				}
				if secret := strings.TrimPrefix(tc.in, "whsec_"); secret != "" && strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q quotes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil && string(got) != string(tc.want) {
				t.Fatalf("key %x, want %x", got, tc.want)
			}
		})
	}
}

func TestSignMatchesLibrary(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	key, err := ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	id := "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	ts := time.Unix(1674087231, 0)
	body := []byte(`{"type":"article.published","timestamp":"2023-01-19T00:13:51Z","data":{"id":"x"}}`)

	got := Sign(key, id, ts, body)
	want, err := wh.Sign(id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Sign = %q, library signs %q", got, want)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", got)
	if err := wh.VerifyIgnoringTimestamp(body, h); err != nil {
		t.Errorf("library rejects crier's signature: %v", err)
	}
	h.Set("webhook-signature", Sign(key, id, ts, append(body, ' ')))
	if err := wh.VerifyIgnoringTimestamp(body, h); err == nil {
		t.Error("library accepts a signature over another body")
	}
}
