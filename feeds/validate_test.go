package feeds_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// schemas is ../shared/schemas from the repository root.
const schemas = "../../shared/schemas"

// requireTool stops the test when an external validator or schema is
// missing (err != nil): a failure when CI is "true", a skip elsewhere, so
// a developer without the tools still runs everything else.
func requireTool(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required when CI=true: %v", what, err)
	}
	t.Skipf("skipping: %s not available (%v)", what, err)
}

func lookTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	requireTool(t, name+" (apt-get install "+pkg+")", err)
	return p
}

func schema(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(schemas, name)
	_, err := os.Stat(p)
	requireTool(t, "schema "+p, err)
	return p
}

func run(t *testing.T, stdin []byte, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
}

// validateXML checks well-formedness with xmllint.
func validateXML(t *testing.T, name string, doc []byte) {
	t.Helper()
	t.Run("xmllint "+name, func(t *testing.T) {
		run(t, doc, lookTool(t, "xmllint", "libxml2-utils"), "--noout", "-")
	})
}

// validateAtom checks an Atom document against RFC 4287's RELAX NG grammar.
func validateAtom(t *testing.T, name string, doc []byte) {
	t.Helper()
	validateXML(t, name, doc)
	t.Run("jing "+name, func(t *testing.T) {
		jing := lookTool(t, "jing", "jing")
		rnc := schema(t, "atom.rnc")
		f := filepath.Join(t.TempDir(), "feed.atom")
		if err := os.WriteFile(f, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		run(t, nil, jing, "-c", rnc, f)
	})
}

const jsonSchemaCheck = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
errors = list(v.iter_errors(json.load(sys.stdin)))
for e in errors:
    print("/".join(map(str, e.absolute_path)) or "(root)", ":", e.message)
sys.exit(1 if errors else 0)
`

// pythonWithJSONSchema finds a python3 that can import jsonschema: the one
// on PATH may be a pyenv build without Debian's python3-jsonschema.
func pythonWithJSONSchema(t *testing.T) (string, error) {
	var err error
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		var py string
		if py, err = exec.LookPath(cand); err != nil {
			continue
		}
		if err = exec.CommandContext(t.Context(), py, "-c", "import jsonschema").Run(); err == nil {
			return py, nil
		}
	}
	return "", err
}

// validateJSONFeed checks a JSON Feed against the JSON Feed 1.1 schema.
func validateJSONFeed(t *testing.T, name string, doc []byte) {
	t.Helper()
	t.Run("jsonschema "+name, func(t *testing.T) {
		py, err := pythonWithJSONSchema(t)
		requireTool(t, "python3 module jsonschema (apt-get install python3-jsonschema)", err)
		run(t, doc, py, "-c", jsonSchemaCheck, schema(t, "jsonfeed-schema-v1.1.json"))
	})
}
