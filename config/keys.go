package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkKeys walks the YAML tree beside the Go type and reports the first
// key that the type does not have, by its dotted path and line.
func checkKeys(n *yaml.Node, v any) error {
	return walkKeys(n, reflect.TypeOf(v).Elem(), "")
}

func walkKeys(n *yaml.Node, t reflect.Type, path string) error {
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := fields[k.Value]
			key := join(path, k.Value)
			if !ok {
				return fmt.Errorf("%s: unknown key (line %d)", key, k.Line)
			}
			if err := walkKeys(n.Content[i+1], f.Type, key); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, c := range n.Content {
			if err := walkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case n.Kind == yaml.MappingNode && t.Kind() != reflect.Map:
		return fmt.Errorf("%s: expected a single value, found a mapping (line %d)", path, n.Line)
	}
	return nil
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if name := strings.Split(f.Tag.Get("yaml"), ",")[0]; name != "" && name != "-" {
			m[name] = f
		}
	}
	return m
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// applyEnv overrides values from CRIER_<PATH> variables: CRIER_HTTP_LISTEN,
// CRIER_SUBSCRIBERS_RETRY_SCHEDULE=5s,1m (lists are comma-separated),
// CRIER_SUBSCRIBERS_WEBHOOKS_0_SECRET (list items by index; an index one
// past the end adds an item).
func applyEnv(cfg *Config, environ []string) error {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix+"_") {
			env[k] = v
		}
	}
	used := make(map[string]bool)
	if err := envValue(reflect.ValueOf(cfg).Elem(), EnvPrefix, "", env, used); err != nil {
		return err
	}
	var unknown []string
	for k := range env {
		if !used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("%s: unknown environment variable (no such key)", unknown[0])
	}
	return nil
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func envValue(v reflect.Value, name, key string, env map[string]string, used map[string]bool) error {
	if v.Kind() == reflect.Struct {
		t := v.Type()
		for i := range t.NumField() {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			if err := envValue(v.Field(i), name+"_"+strings.ToUpper(tag), join(key, tag), env, used); err != nil {
				return err
			}
		}
		return nil
	}
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct {
		for i := 0; ; i++ {
			itemName := fmt.Sprintf("%s_%d", name, i)
			if i >= v.Len() {
				if !hasPrefix(env, itemName+"_") {
					return nil
				}
				v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
			}
			if err := envValue(v.Index(i), itemName, fmt.Sprintf("%s[%d]", key, i), env, used); err != nil {
				return err
			}
		}
	}
	s, ok := env[name]
	if !ok {
		return nil
	}
	used[name] = true
	if err := setString(v, s); err != nil {
		return fmt.Errorf("%s (from %s): %w", key, name, err)
	}
	return nil
}

func hasPrefix(env map[string]string, prefix string) bool {
	for k := range env {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func setString(v reflect.Value, s string) error {
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler) {
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer: %q", s)
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", s)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("not a boolean: %q", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		items := strings.Split(s, ",")
		if strings.TrimSpace(s) == "" {
			items = nil
		}
		out := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			if err := setString(out.Index(i), strings.TrimSpace(item)); err != nil {
				return err
			}
		}
		v.Set(out)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}
