package article

import (
	"net/url"
	"strings"
)

// trackingParams are query parameters that say how a reader came to a page,
// not which page it is.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "igshid": true, "mc_cid": true,
	"mc_eid": true, "_ga": true, "_gl": true, "ocid": true, "cmpid": true,
	"at_medium": true, "at_campaign": true, "ito": true, "smid": true,
}

// CanonicalURL is the form of a page URL that names the article: scheme and
// host lowercased, default port and fragment dropped, tracking parameters
// (utm_*, fbclid, gclid, ...) removed, the rest kept in order. A URL that
// does not parse is returned as it is.
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
	}
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		kept := make([]string, 0, 4)
		for _, kv := range strings.Split(u.RawQuery, "&") {
			k, _, _ := strings.Cut(kv, "=")
			if name, err := url.QueryUnescape(k); err == nil {
				name = strings.ToLower(name)
				if strings.HasPrefix(name, "utm_") || trackingParams[name] {
					continue
				}
			}
			if kv != "" {
				kept = append(kept, kv)
			}
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	u.ForceQuery = false
	return u.String()
}
