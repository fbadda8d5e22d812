package domain

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// CatalogKind says where a catalog comes from.
type CatalogKind string

const (
	// CatalogKompendium is an edition of the IT-Grundschutz-Kompendium
	// (DocBook XML), optionally with its cross-reference tables (KRT).
	CatalogKompendium CatalogKind = "kompendium"
	// CatalogOSCAL is an OSCAL 1.x catalog, such as Grundschutz++, or the
	// selection an OSCAL profile makes from one.
	CatalogOSCAL CatalogKind = "oscal"
	// CatalogDemo is the demo excerpt written by us.
	CatalogDemo CatalogKind = "demo"
)

// CatalogKinds lists where a catalog can come from.
var CatalogKinds = []CatalogKind{CatalogKompendium, CatalogOSCAL, CatalogDemo}

// Level is a requirement's level: B, S or H in the Kompendium.
type Level string

const (
	LevelBasis    Level = "basis"    // B: Basis-Anforderung
	LevelStandard Level = "standard" // S: Standard-Anforderung
	LevelElevated Level = "elevated" // H: Anforderung bei erhöhtem Schutzbedarf
)

// Levels lists the levels in order.
var Levels = []Level{LevelBasis, LevelStandard, LevelElevated}

// Letter is the Kompendium's abbreviation: B, S or H.
func (l Level) Letter() string {
	switch l {
	case LevelBasis:
		return "B"
	case LevelStandard:
		return "S"
	case LevelElevated:
		return "H"
	}
	return "?"
}

// Catalog is one imported catalog; a new edition is a new catalog.
type Catalog struct {
	ID           int64       `db:"id"`
	Kind         CatalogKind `db:"kind"`
	Title        string      `db:"title"`
	Version      string      `db:"version"`
	UUID         string      `db:"uuid"` // OSCAL catalogs
	SourceName   string      `db:"source_name"`
	SourceSHA256 string      `db:"source_sha256"`
	ImportedAt   time.Time   `db:"imported_at"`
	Method       Method      `db:"method"`
}

// CatalogContent is everything a parser read from one catalog file,
// ready to be stored in one transaction.
type CatalogContent struct {
	Kind    CatalogKind
	Title   string
	Version string // edition ("2023") or the OSCAL version
	UUID    string // OSCAL: the catalog's uuid, by which profiles may refer to it

	Groups         []CatalogGroup
	Modules        []Module
	Requirements   []Requirement
	Threats        []Threat
	ModellingHints []ModellingHint
}

// Method is the method the content is applied with: Grundschutz++ once
// any requirement's statement carries a modal verb.
func (c CatalogContent) Method() Method {
	for _, r := range c.Requirements {
		if r.Obligation != "" {
			return MethodPlusPlus
		}
	}
	return MethodGrundschutz
}

// CatalogGroup is a layer (Kompendium: ISMS, ORP, …) or an OSCAL group
// without controls of its own (Grundschutz++: a practice such as ASST).
type CatalogGroup struct {
	Key       string // "NET", "ASST"
	ParentKey string
	Title     string
	Order     int
	Text      Text // description, if any
	Props     Props
}

// Module is a Baustein (Kompendium) or an OSCAL group that holds controls.
type Module struct {
	ID           string // "NET.3.1", "ASST.1"
	GroupKey     string // the layer or practice it belongs to ("" at the top)
	Title        string
	Order        int
	Description  Text     // Beschreibung: Einleitung, Zielsetzung, Abgrenzung
	DefaultRoles []string // "Grundsätzlich zuständig"
	FurtherRoles []string // "Weitere Zuständigkeiten"
	Props        Props
}

// Requirement is an Anforderung (Kompendium) or an OSCAL control.
type Requirement struct {
	ID        string // "NET.3.1.A1", "ASST.1.1.1"
	ModuleID  string
	ParentID  string // the enclosing control, for nested OSCAL controls
	Title     string
	Level     Level
	Roles     []string // explicitly responsible roles, as in "[Planende, IT-Betrieb]"
	Text      Text     // the requirement itself (OSCAL: the statement part)
	Guidance  Text     // OSCAL guidance part
	Withdrawn bool     // "ENTFALLEN"
	Order     int
	Effort    *int     // OSCAL effort_level
	Tags      []string // OSCAL props named "tag" or with class "tag"
	AltID     string   // OSCAL alt-identifier (a UUID)
	Props     Props    // every other prop, namespace kept

	Obligation Obligation         // Grundschutz++: the statement's modal verb
	Params     []RequirementParam // the parameters its statement inserts, in order
}

// Prop is an OSCAL property, kept with its namespace.
type Prop struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	NS    string `json:"ns,omitempty"`
	Class string `json:"class,omitempty"`
}

// Threat is an elementary threat (Elementare Gefährdung), G 0.1 … G 0.47.
type Threat struct {
	ID    string // "G 0.1"
	Title string
	Text  Text
	Order int
}

// ModellingHint is one row of the Kompendium's modelling table: which
// module is modelled in which order (R1, R2, R3) on which target object.
type ModellingHint struct {
	ModuleID   string
	Order      string // "R1", "R2" or "R3"
	TargetType string // as the table names it, e.g. "IT-System", "Gebäude/Raum"
}

// CIA names the security objectives a requirement serves especially.
type CIA struct {
	C, I, A bool
}

// String is "C", "CI", "CIA" …, as the cross-reference tables write it.
func (c CIA) String() string {
	var b strings.Builder
	if c.C {
		b.WriteByte('C')
	}
	if c.I {
		b.WriteByte('I')
	}
	if c.A {
		b.WriteByte('A')
	}
	return b.String()
}

// ThreatLink says that a requirement counters an elementary threat.
type ThreatLink struct {
	RequirementID string
	ThreatID      string
}

// CrossReference is what the cross-reference workbook (KRT) holds.
type CrossReference struct {
	Requirements []string       // every requirement row, in order
	Links        []ThreatLink   // requirement → threat
	Marks        map[string]CIA // requirement → objectives (mostly H requirements)
}

// Text is structured, safe markup: paragraphs and (nested) lists of runs
// of plain or emphasised text. Renderers escape every run, so no markup
// from a catalog file ever reaches a page unescaped.
type Text []Block

// BlockKind is the kind of a Block.
type BlockKind string

const (
	BlockParagraph BlockKind = "p"
	BlockBullets   BlockKind = "ul"
	BlockNumbered  BlockKind = "ol"
)

// BlockKinds lists the kinds of a Block.
var BlockKinds = []BlockKind{BlockParagraph, BlockBullets, BlockNumbered}

// Block is a paragraph (Runs) or a list (Items, each a Text of its own).
type Block struct {
	Kind  BlockKind `json:"k"`
	Runs  []Run     `json:"r,omitempty"`
	Items []Text    `json:"i,omitempty"`
}

// Run is a piece of text with its emphasis. A parameter insert is a run
// of its own that names the parameter: its text is the BSI's label until
// WithParams puts the scope's value in (Value then says so).
type Run struct {
	Text   string `json:"t"`
	Emph   bool   `json:"e,omitempty"`
	Strong bool   `json:"s,omitempty"`
	Param  string `json:"p,omitempty"`
	Value  bool   `json:"v,omitempty"`
}

// Plain is the text without markup, paragraphs and list items on their
// own lines; it feeds the full-text search.
func (t Text) Plain() string {
	var b strings.Builder
	t.writePlain(&b)
	return strings.TrimSpace(b.String())
}

func (t Text) writePlain(b *strings.Builder) {
	for _, blk := range t {
		for _, r := range blk.Runs {
			b.WriteString(r.Text)
		}
		if len(blk.Runs) > 0 {
			b.WriteByte('\n')
		}
		for _, it := range blk.Items {
			b.WriteString("- ")
			it.writePlain(b)
		}
	}
}

// Scan reads Text from a JSON column.
func (t *Text) Scan(src any) error { return scanJSON(src, t) }

// Value stores Text as JSON.
func (t Text) Value() (driver.Value, error) {
	if t == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(t)
}

// Props is a list of OSCAL properties, stored as JSON.
type Props []Prop

// Scan reads Props from a JSON column.
func (p *Props) Scan(src any) error { return scanJSON(src, p) }

// Value stores Props as JSON.
func (p Props) Value() (driver.Value, error) {
	if p == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(p)
}

func scanJSON(src, dst any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		return json.Unmarshal(v, dst)
	case string:
		return json.Unmarshal([]byte(v), dst)
	}
	return fmt.Errorf("cannot scan %T as JSON", src)
}
