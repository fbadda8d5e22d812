// Package validation checks JSON documents against the schemas of the
// schemas folder and reports every violation with its JSON pointer.
package validation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"ismsd/internal/domain"
	"ismsd/schemas"
)

// baseURL is the name space the schema files are compiled under; refs
// between them ("grant.json") resolve against it.
const baseURL = "https://ismsd.invalid/schemas/"

// Validator holds every compiled schema.
type Validator struct {
	byName map[string]*jsonschema.Schema
}

// New compiles all schemas of the schemas folder.
func New() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	names, err := fs.Glob(schemas.FS, "*.json")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := fs.ReadFile(schemas.FS, n)
		if err != nil {
			return nil, err
		}
		if err := c.AddResource(baseURL+n, bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
	}
	v := &Validator{byName: map[string]*jsonschema.Schema{}}
	for _, n := range names {
		s, err := c.Compile(baseURL + n)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
		v.byName[n] = s
	}
	return v, nil
}

// Has reports whether a schema of that file name exists.
func (v *Validator) Has(name string) bool { _, ok := v.byName[name]; return ok }

// Validate checks raw JSON against the named schema. A refusal is a
// domain ErrInvalid listing every violation.
func (v *Validator) Validate(name string, raw []byte) error {
	if !v.Has(name) {
		return fmt.Errorf("no schema %q", name)
	}
	if vs := textViolations(raw); len(vs) > 0 {
		return domain.Invalid(vs...)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return domain.Invalid(domain.Violation{Pointer: "", Detail: "the body is not valid JSON: " + err.Error()})
	}
	if dec.More() {
		return domain.Invalid(domain.Violation{Pointer: "", Detail: "the body holds more than one JSON value"})
	}
	return v.ValidateValue(name, doc)
}

// ValidateValue checks a decoded document (numbers as json.Number) against
// the named schema, as Validate does: a reader that decodes a large file
// piece by piece checks each piece.
func (v *Validator) ValidateValue(name string, doc any) error {
	s, ok := v.byName[name]
	if !ok {
		return fmt.Errorf("no schema %q", name)
	}
	err := s.Validate(doc)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return domain.Invalid(violations(ve)...)
	}
	return err
}

var quoted = regexp.MustCompile(`'([^']*)'`)

// violations flattens the error tree to its leaves. A missing-properties
// error becomes one violation per property, pointing where it belongs.
func violations(ve *jsonschema.ValidationError) []domain.Violation {
	var out []domain.Violation
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		if strings.HasSuffix(e.KeywordLocation, "/required") {
			for _, m := range quoted.FindAllStringSubmatch(e.Message, -1) {
				out = append(out, domain.Violation{Pointer: e.InstanceLocation + "/" + escapePointer(m[1]), Detail: "is required"})
			}
			return
		}
		if strings.HasSuffix(e.KeywordLocation, "/additionalProperties") {
			for _, m := range quoted.FindAllStringSubmatch(e.Message, -1) {
				out = append(out, domain.Violation{Pointer: e.InstanceLocation + "/" + escapePointer(m[1]), Detail: "is not allowed here"})
			}
			return
		}
		out = append(out, domain.Violation{Pointer: e.InstanceLocation, Detail: e.Message})
	}
	walk(ve)
	// The validator visits properties in map order: sorting by pointer,
	// and by detail for one pointer, gives one order on every run.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pointer != out[j].Pointer {
			return out[i].Pointer < out[j].Pointer
		}
		return out[i].Detail < out[j].Detail
	})
	return dedupe(out)
}

func dedupe(vs []domain.Violation) []domain.Violation {
	seen := map[domain.Violation]bool{}
	out := vs[:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Schema returns the raw JSON of a schema file, for the API description.
func Schema(name string) (json.RawMessage, error) {
	return fs.ReadFile(schemas.FS, name)
}

// Names lists the schema files.
func Names() []string {
	names, _ := fs.Glob(schemas.FS, "*.json")
	return names
}
