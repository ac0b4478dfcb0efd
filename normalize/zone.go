package normalize

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ccTLDZones maps the country-code top-level domains of countries with one
// time zone, or with nearly all their people in one (Spain and Portugal
// without their islands, France without its overseas departments, which
// have their own domains), to that zone. Countries spanning several zones
// (us, ca, br, mx, ru, au, id, cl, kz...) are left out: their sites give
// no zone. Generic domains (.com, .org) say nothing.
var ccTLDZones = map[string]string{
	"ch": "Europe/Zurich", "li": "Europe/Vaduz", "fr": "Europe/Paris", "mc": "Europe/Monaco",
	"de": "Europe/Berlin", "at": "Europe/Vienna", "it": "Europe/Rome", "sm": "Europe/San_Marino",
	"va": "Europe/Vatican", "es": "Europe/Madrid", "ad": "Europe/Andorra", "be": "Europe/Brussels",
	"nl": "Europe/Amsterdam", "lu": "Europe/Luxembourg", "pl": "Europe/Warsaw", "cz": "Europe/Prague",
	"sk": "Europe/Bratislava", "hu": "Europe/Budapest", "si": "Europe/Ljubljana", "hr": "Europe/Zagreb",
	"ba": "Europe/Sarajevo", "rs": "Europe/Belgrade", "me": "Europe/Podgorica", "mk": "Europe/Skopje",
	"al": "Europe/Tirane", "gr": "Europe/Athens", "bg": "Europe/Sofia", "ro": "Europe/Bucharest",
	"md": "Europe/Chisinau", "ua": "Europe/Kyiv", "by": "Europe/Minsk", "lt": "Europe/Vilnius",
	"lv": "Europe/Riga", "ee": "Europe/Tallinn", "fi": "Europe/Helsinki", "se": "Europe/Stockholm",
	"no": "Europe/Oslo", "dk": "Europe/Copenhagen", "is": "Atlantic/Reykjavik", "ie": "Europe/Dublin",
	"uk": "Europe/London", "gb": "Europe/London", "pt": "Europe/Lisbon", "mt": "Europe/Malta",
	"cy": "Asia/Nicosia", "tr": "Europe/Istanbul",
	"in": "Asia/Kolkata", "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "cn": "Asia/Shanghai",
	"hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "sg": "Asia/Singapore", "my": "Asia/Kuala_Lumpur",
	"ph": "Asia/Manila", "th": "Asia/Bangkok", "vn": "Asia/Ho_Chi_Minh", "pk": "Asia/Karachi",
	"bd": "Asia/Dhaka", "lk": "Asia/Colombo", "np": "Asia/Kathmandu", "il": "Asia/Jerusalem",
	"lb": "Asia/Beirut", "jo": "Asia/Amman", "ae": "Asia/Dubai", "qa": "Asia/Qatar",
	"sa": "Asia/Riyadh", "ir": "Asia/Tehran", "iq": "Asia/Baghdad",
	"za": "Africa/Johannesburg", "ng": "Africa/Lagos", "ke": "Africa/Nairobi", "eg": "Africa/Cairo",
	"ma": "Africa/Casablanca", "dz": "Africa/Algiers", "tn": "Africa/Tunis", "sn": "Africa/Dakar",
	"ci": "Africa/Abidjan", "gh": "Africa/Accra", "gn": "Africa/Conakry", "cm": "Africa/Douala",
	"ar": "America/Argentina/Buenos_Aires", "uy": "America/Montevideo", "co": "America/Bogota",
	"pe": "America/Lima", "ve": "America/Caracas", "bo": "America/La_Paz", "py": "America/Asuncion",
	"cu": "America/Havana", "do": "America/Santo_Domingo", "gt": "America/Guatemala",
	"sv": "America/El_Salvador", "hn": "America/Tegucigalpa", "ni": "America/Managua",
	"cr": "America/Costa_Rica", "pa": "America/Panama", "nz": "Pacific/Auckland",
}

// agencyZones are the home zones of national news agencies whose
// dispatches are datelined at home: an article crediting one of them was
// most likely published in that zone. The world services (AFP, AP,
// Reuters, EFE, dpa, Xinhua, TASS...) file from everywhere and say nothing;
// neither do agencies serving several countries (Lusa) or whose short name
// is shared (KNA).
var agencyZones = map[string]string{
	"ATS": "Europe/Zurich", "SDA": "Europe/Zurich", "Keystone-SDA": "Europe/Zurich",
	"Keystone-ATS": "Europe/Zurich", "APA": "Europe/Vienna", "ANSA": "Europe/Rome",
	"Belga": "Europe/Brussels", "ANP": "Europe/Amsterdam", "PAP": "Europe/Warsaw",
	"ČTK": "Europe/Prague", "MTI": "Europe/Budapest", "Agerpres": "Europe/Bucharest",
	"BTA": "Europe/Sofia", "Ritzau": "Europe/Copenhagen", "NTB": "Europe/Oslo",
	"LETA": "Europe/Riga", "epd": "Europe/Berlin", "Europa Press": "Europe/Madrid",
	"Kyodo": "Asia/Tokyo", "Yonhap": "Asia/Seoul", "PTI": "Asia/Kolkata", "IANS": "Asia/Kolkata",
}

// domainName is a source spelled as a host name: "lemonde.fr",
// "wien.ORF.at".
var domainName = regexp.MustCompile(`^(?:[\p{L}\d-]+\.)+([A-Za-z]{2,})$`)

// publicationZone returns the name of the time zone the publication
// most likely printed its times in, from what build knows of it, in this
// order: the page URL's country domain, a source spelled as a host name,
// the home zone of the national agencies it credits (when they agree).
// It returns "" when none tells.
func publicationZone(pageURL, source string, agencies []string) string {
	if u, err := url.Parse(pageURL); err == nil && u.Hostname() != "" {
		if z := tldZone(u.Hostname()); z != "" {
			return z
		}
	}
	if m := domainName.FindStringSubmatch(strings.TrimSpace(source)); m != nil {
		if z := ccTLDZones[strings.ToLower(m[1])]; z != "" {
			return z
		}
	}
	zone := ""
	for _, a := range agencies {
		z := agencyZones[a]
		switch {
		case z == "":
		case zone == "":
			zone = z
		case zone != z:
			return "" // "ATS, APA": two homes, no answer
		}
	}
	return zone
}

// tldZone returns the zone of a host's country-code domain, or "".
func tldZone(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return ccTLDZones[host[strings.LastIndexByte(host, '.')+1:]]
}

// inferZone places a wall-clock time written in UTC (a page's time of
// day without a zone) in the publication's zone, when publicationZone
// tells it. It reports whether it did.
func inferZone(wall time.Time, pageURL, source string, agencies []string) (time.Time, bool) {
	name := publicationZone(pageURL, source, agencies)
	if name == "" {
		return wall, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// No tz database: cmd/crier embeds one (time/tzdata), so only a
		// program built without it gets here, and keeps the UTC reading.
		return wall, false
	}
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	return time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc), true
}
