package subscribers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every Standard Webhooks signing secret.
const SecretPrefix = "whsec_"

// Key length bounds recommended by the Standard Webhooks specification.
const (
	minKeyBytes = 24
	maxKeyBytes = 64
)

// ParseSecret decodes a signing secret, "whsec_" followed by the standard
// base64 encoding of 24 to 64 key bytes. Its errors never quote the secret,
// so they are safe to log and to show in configuration errors.
func ParseSecret(s string) ([]byte, error) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, errors.New("subscribers: secret must start with " + strconv.Quote(SecretPrefix))
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		// base64 errors only carry an offset, never the input.
		return nil, fmt.Errorf("subscribers: secret is not valid standard base64 after %q: %w", SecretPrefix, err)
	}
	if len(key) < minKeyBytes || len(key) > maxKeyBytes {
		return nil, fmt.Errorf("subscribers: secret key is %d bytes, want %d to %d", len(key), minKeyBytes, maxKeyBytes)
	}
	return key, nil
}

// Sign returns the Standard Webhooks v1 signature of one attempt,
// "v1,<base64 HMAC-SHA256 of msgID.unixSeconds.body>", the value of the
// webhook-signature header.
func Sign(key []byte, msgID string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, ts.Unix(), 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
