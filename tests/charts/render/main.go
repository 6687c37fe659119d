// render: a minimal `helm template` for the chart test. It renders charts/vaultsync with Go's
// text/template and sprig (Helm's own engine) plus Helm's extra functions, so the test checks
// what Helm would produce without needing Helm (not packaged in Debian 12).
//
// Usage: render --chart DIR [--values FILE]... [--name RELEASE] [--namespace NS] [--notes FILE]
//        render --chart DIR --values-table
// Writes every rendered template (non-empty ones) to stdout as a multi-document YAML stream,
// each document preceded by "# Source: <chart>/templates/<file>". Exit code 1 on any error.
// Like Helm, it first validates the merged values against the chart's values.schema.json
// (with gojsonschema, the library Helm 3 uses) and fails with Helm's message when they do
// not meet it. --values-table prints the chart README's values table instead: one row per
// leaf of values.schema.json with its type, its default from values.yaml and its
// description.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig" // GOPATH mode: Debian installs v3 here
	gojsonschema "github.com/xeipuuv/gojsonschema"
	yaml "gopkg.in/yaml.v3"
)

type multiFlag []string // repeated --values

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "render: "+format+"\n", args...)
	os.Exit(1)
}

// Files is .Files: Get returns a chart file's content ("" when missing, as in Helm).
type Files struct{ root string }

func (f Files) Get(name string) string {
	b, err := os.ReadFile(filepath.Join(f.root, filepath.FromSlash(name)))
	if err != nil {
		return ""
	}
	return string(b)
}

// Capabilities is a minimal .Capabilities (Kubernetes 1.26, as the emulator).
type Capabilities struct {
	KubeVersion map[string]string
	APIVersions APIVersions
}

type APIVersions []string

func (a APIVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

func loadYAML(path string) map[string]interface{} {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &out); err != nil {
		fail("%s: %v", path, err)
	}
	return out
}

// merge overlays src onto dst the way Helm merges -f files: maps merge key by key, anything
// else (lists included) replaces; a null deletes the key.
func merge(dst, src map[string]interface{}) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// validate checks the merged values against the chart's values.schema.json as Helm does
// (values to JSON, gojsonschema), returning Helm's error text; "" when they pass or the
// chart has no schema.
func validate(chart string, values map[string]interface{}) string {
	schema, err := os.ReadFile(filepath.Join(chart, "values.schema.json"))
	if err != nil {
		return ""
	}
	valuesJSON, err := json.Marshal(values)
	if err != nil {
		return err.Error()
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema),
		gojsonschema.NewBytesLoader(valuesJSON))
	if err != nil {
		return err.Error()
	}
	if result.Valid() {
		return ""
	}
	var sb strings.Builder
	name := filepath.Base(chart)
	sb.WriteString("values don't meet the specifications of the schema(s) in the following chart(s):\n")
	sb.WriteString(name + ":\n")
	for _, e := range result.Errors() {
		sb.WriteString(fmt.Sprintf("- %s\n", e))
	}
	return sb.String()
}

// valuesTable is the markdown table of every leaf value: key, type, default, description.
func valuesTable(chart string, values map[string]interface{}) string {
	b, err := os.ReadFile(filepath.Join(chart, "values.schema.json"))
	if err != nil {
		fail("%v", err)
	}
	var schema map[string]interface{}
	if err := json.Unmarshal(b, &schema); err != nil {
		fail("values.schema.json: %v", err)
	}
	var rows []string
	var walk func(prefix string, node map[string]interface{}, vals interface{})
	walk = func(prefix string, node map[string]interface{}, vals interface{}) {
		props, _ := node["properties"].(map[string]interface{})
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child, _ := props[k].(map[string]interface{})
			var v interface{}
			if m, ok := vals.(map[string]interface{}); ok {
				v = m[k]
			}
			key := strings.TrimPrefix(prefix+"."+k, ".")
			if _, nested := child["properties"]; nested {
				walk(key, child, v)
				continue
			}
			typ := fmt.Sprint(child["type"])
			if list, ok := child["type"].([]interface{}); ok {
				parts := make([]string, len(list))
				for i, t := range list {
					parts[i] = fmt.Sprint(t)
				}
				typ = strings.Join(parts, " or ")
			}
			def := "(none)"
			if v != nil {
				d, _ := json.Marshal(v)
				def = string(d)
			}
			desc := strings.ReplaceAll(fmt.Sprint(child["description"]), "|", "\\|")
			rows = append(rows, fmt.Sprintf("| `%s` | %s | `%s` | %s |", key, typ,
				strings.ReplaceAll(def, "|", "\\|"), desc))
		}
	}
	walk("", schema, values)
	return "| key | type | default | description |\n|---|---|---|---|\n" +
		strings.Join(rows, "\n") + "\n"
}

func main() {
	var chart, name, namespace, notes string
	var table bool
	var valueFiles multiFlag
	name, namespace = "release", "default"
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		if args[i] == "--values-table" {
			table = true
			continue
		}
		if i+1 >= len(args) {
			fail("%s needs a value", args[i])
		}
		switch args[i] {
		case "--chart":
			chart = args[i+1]
		case "--values":
			valueFiles = append(valueFiles, args[i+1])
		case "--name":
			name = args[i+1]
		case "--namespace":
			namespace = args[i+1]
		case "--notes":
			notes = args[i+1]
		default:
			fail("unknown argument %q", args[i])
		}
		i++
	}
	if chart == "" {
		fail("--chart is required")
	}
	meta := loadYAML(filepath.Join(chart, "Chart.yaml"))
	values := loadYAML(filepath.Join(chart, "values.yaml"))
	for _, f := range valueFiles {
		merge(values, loadYAML(f))
	}
	if table {
		os.Stdout.WriteString(valuesTable(chart, loadYAML(filepath.Join(chart, "values.yaml"))))
		return
	}
	if msg := validate(chart, values); msg != "" {
		fail("%s", msg)
	}
	chartName, _ := meta["name"].(string)
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": name, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": meta["name"], "Version": meta["version"], "AppVersion": meta["appVersion"],
		},
		"Capabilities": Capabilities{
			KubeVersion: map[string]string{"Version": "v1.26.0", "Major": "1", "Minor": "26"},
			APIVersions: APIVersions{"v1", "apps/v1", "rbac.authorization.k8s.io/v1",
				"policy/v1", "networking.k8s.io/v1"},
		},
		"Files":    Files{root: chart},
		"Template": map[string]interface{}{"BasePath": chartName + "/templates"},
	}

	root := template.New("gotpl").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	includeDepth := 0
	funcs["include"] = func(tname string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 100 {
			return "", fmt.Errorf("include %q: recursion too deep", tname)
		}
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, tname, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, fmt.Errorf("%s", msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	// sprig's toJson and fromJson are Helm's too.

	tdir := filepath.Join(chart, "templates")
	entries, err := os.ReadDir(tdir)
	if err != nil {
		fail("%v", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		tname := chartName + "/templates/" + e.Name()
		b, err := os.ReadFile(filepath.Join(tdir, e.Name()))
		if err != nil {
			fail("%v", err)
		}
		if _, err := root.New(tname).Funcs(funcs).Parse(string(b)); err != nil {
			fail("parse %s: %v", tname, err)
		}
		names = append(names, tname)
	}
	sort.Strings(names)
	var out bytes.Buffer
	for _, tname := range names {
		base := filepath.Base(tname)
		if strings.HasPrefix(base, "_") {
			continue // partials: only used through include
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, tname, top); err != nil {
			fail("render %s: %v", tname, err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			if notes != "" {
				if err := os.WriteFile(notes, []byte(text), 0o644); err != nil {
					fail("%v", err)
				}
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", tname, strings.TrimSpace(text))
	}
	os.Stdout.Write(out.Bytes())
}
