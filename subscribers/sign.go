package subscribers

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Key prefixes of the Standard Webhooks specification.
const (
	// SecretPrefix starts every symmetric signing secret (v1, HMAC-SHA256).
	SecretPrefix = "whsec_"
	// SigningKeyPrefix starts an ed25519 private key (v1a signatures).
	SigningKeyPrefix = "whsk_"
	// PublicKeyPrefix starts the ed25519 public key receivers verify with.
	PublicKeyPrefix = "whpk_"
)

// Key length bounds recommended by the Standard Webhooks specification.
const (
	minKeyBytes = 24
	maxKeyBytes = 64
	// newKeyBytes is the length of the secrets crier generates.
	newKeyBytes = 32
)

// ParseSecret decodes a signing secret, "whsec_" followed by the standard
// base64 encoding of 24 to 64 key bytes. Its errors never quote the secret,
// so they are safe to log and to show in configuration errors.
func ParseSecret(s string) ([]byte, error) {
	key, err := decodeKey(s, SecretPrefix, "secret")
	if err != nil {
		return nil, err
	}
	if len(key) < minKeyBytes || len(key) > maxKeyBytes {
		return nil, fmt.Errorf("subscribers: secret key is %d bytes, want %d to %d", len(key), minKeyBytes, maxKeyBytes)
	}
	return key, nil
}

// decodeKey strips prefix from s and decodes the standard base64 after
// it. what names the key in the errors, which never quote s (base64
// errors only carry an offset).
func decodeKey(s, prefix, what string) ([]byte, error) {
	enc, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return nil, errors.New("subscribers: " + what + " must start with " + strconv.Quote(prefix))
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("subscribers: %s is not valid standard base64 after %q: %w", what, prefix, err)
	}
	return b, nil
}

// GenerateSecret returns a new random "whsec_" secret of 32 bytes.
func GenerateSecret() (string, error) {
	b := make([]byte, newKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("subscribers: generate secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ParseSigningKey decodes an ed25519 signing key, "whsk_" followed by the
// standard base64 of the 64-byte private key (seed then public key, the
// form of Go and libsodium) or of its 32-byte seed.
func ParseSigningKey(s string) (ed25519.PrivateKey, error) {
	b, err := decodeKey(s, SigningKeyPrefix, "signing key")
	if err != nil {
		return nil, err
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		k := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
		if !hmac.Equal(k[ed25519.SeedSize:], b[ed25519.SeedSize:]) {
			return nil, errors.New("subscribers: signing key's public half does not match its seed")
		}
		return k, nil
	}
	return nil, fmt.Errorf("subscribers: signing key is %d bytes, want %d or %d", len(b), ed25519.SeedSize, ed25519.PrivateKeySize)
}

// GenerateSigningKey returns a new ed25519 key pair as "whsk_" (keep it)
// and "whpk_" (give it to receivers).
func GenerateSigningKey() (signingKey, publicKey string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("subscribers: generate signing key: %w", err)
	}
	return SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv), PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub), nil
}

// PublicKey returns the "whpk_" public key of a "whsk_" signing key.
func PublicKey(signingKey string) (string, error) {
	k, err := ParseSigningKey(signingKey)
	if err != nil {
		return "", err
	}
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey)), nil
}

// Sign returns the Standard Webhooks v1 signature of one attempt,
// "v1,<base64 HMAC-SHA256 of msgID.unixSeconds.body>", the value of the
// webhook-signature header.
func Sign(key []byte, msgID string, ts time.Time, body []byte) string {
	return v1(hmac.New(sha256.New, key), signedPrefix(msgID, ts), body)
}

// v1 is the v1 signature with mac, an HMAC-SHA256 keyed with the secret.
func v1(mac hash.Hash, prefix, body []byte) string {
	mac.Reset()
	mac.Write(prefix)
	mac.Write(body)
	var sum [sha256.Size]byte
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// SignEd25519 returns the Standard Webhooks v1a signature of one attempt,
// "v1a,<base64 ed25519 signature of msgID.unixSeconds.body>".
func SignEd25519(key ed25519.PrivateKey, msgID string, ts time.Time, body []byte) string {
	content := append(signedPrefix(msgID, ts), body...)
	return "v1a," + base64.StdEncoding.EncodeToString(ed25519.Sign(key, content))
}

func signedPrefix(msgID string, ts time.Time) []byte {
	b := make([]byte, 0, len(msgID)+24)
	b = append(b, msgID...)
	b = append(b, '.')
	b = strconv.AppendInt(b, ts.Unix(), 10)
	return append(b, '.')
}

// signer signs with every key of an endpoint still valid at the time of
// the attempt: the space-separated list lets receivers holding either the
// old or the new secret verify during a rotation's grace period.
type signer struct {
	hmacKeys []*expiringKey
	edKey    ed25519.PrivateKey
}

type expiringKey struct {
	expires time.Time // zero: never
	// macs holds HMACs keyed with this key, reused across attempts: a
	// new one per attempt was a measurable share of the delivery path.
	macs sync.Pool
}

func newExpiringKey(key []byte, expires time.Time) *expiringKey {
	k := &expiringKey{expires: expires}
	k.macs.New = func() any { return hmac.New(sha256.New, key) }
	return k
}

// header returns the webhook-signature value at now.
func (s *signer) header(msgID string, now time.Time, body []byte) string {
	prefix := signedPrefix(msgID, now)
	var sigs []string
	for _, k := range s.hmacKeys {
		if ended(k.expires, now) {
			continue
		}
		mac := k.macs.Get().(hash.Hash)
		sigs = append(sigs, v1(mac, prefix, body))
		k.macs.Put(mac)
	}
	if s.edKey != nil {
		sigs = append(sigs, SignEd25519(s.edKey, msgID, now, body))
	}
	return strings.Join(sigs, " ")
}
