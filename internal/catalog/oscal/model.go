package oscal

// The OSCAL 1.x JSON model, as far as the parsers read it. encoding/json
// ignores every other field, so catalogs with richer content (NIST's
// assessment parts, links, back-matter) read all the same.

// catalogDoc is the root of a catalog file. Profile and
// ComponentDefinition are decoded only to tell them, given in a catalog's
// place, from other JSON.
type catalogDoc struct {
	Catalog             *catalogJSON `json:"catalog"`
	Profile             *struct{}    `json:"profile"`
	ComponentDefinition *struct{}    `json:"component-definition"`
}

// profileDoc is the root of a profile file.
type profileDoc struct {
	Profile             *profileJSON `json:"profile"`
	Catalog             *struct{}    `json:"catalog"`
	ComponentDefinition *struct{}    `json:"component-definition"`
}

type catalogJSON struct {
	UUID     string    `json:"uuid"`
	Metadata metadata  `json:"metadata"`
	Params   []param   `json:"params"`
	Controls []control `json:"controls"`
	Groups   []group   `json:"groups"`
}

type metadata struct {
	Title        string `json:"title"`
	Version      string `json:"version"`
	OSCALVersion string `json:"oscal-version"`
}

// node is what a group and a control both carry.
type node struct {
	ID     string  `json:"id"`
	Class  string  `json:"class"`
	Title  string  `json:"title"`
	Params []param `json:"params"`
	Props  []prop  `json:"props"`
	Parts  []part  `json:"parts"`
}

type group struct {
	node
	Groups   []group   `json:"groups"`
	Controls []control `json:"controls"`
}

type control struct {
	node
	Controls []control `json:"controls"`
}

type part struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	NS    string `json:"ns"`
	Class string `json:"class"`
	Title string `json:"title"`
	Props []prop `json:"props"`
	Prose string `json:"prose"`
	Parts []part `json:"parts"`
}

type prop struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	NS      string `json:"ns"`
	Class   string `json:"class"`
	Remarks string `json:"remarks"`
}

type param struct {
	ID     string     `json:"id"`
	Label  string     `json:"label"`
	Values []string   `json:"values"`
	Select *selection `json:"select"`
}

type selection struct {
	HowMany string   `json:"how-many"`
	Choice  []string `json:"choice"`
}

type profileJSON struct {
	UUID       string       `json:"uuid"`
	Metadata   metadata     `json:"metadata"`
	Imports    []importJSON `json:"imports"`
	Merge      *mergeJSON   `json:"merge"`
	Modify     *modifyJSON  `json:"modify"`
	BackMatter *backMatter  `json:"back-matter"`
}

type modifyJSON struct {
	SetParameters []struct {
		ParamID string   `json:"param-id"`
		Values  []string `json:"values"`
	} `json:"set-parameters"`
}

type importJSON struct {
	Href            string       `json:"href"`
	IncludeAll      *struct{}    `json:"include-all"`
	IncludeControls []selectJSON `json:"include-controls"`
	ExcludeControls []selectJSON `json:"exclude-controls"`
}

type selectJSON struct {
	WithChildControls string   `json:"with-child-controls"`
	WithIDs           []string `json:"with-ids"`
	Matching          []struct {
		Pattern string `json:"pattern"`
	} `json:"matching"`
}

type mergeJSON struct {
	AsIs   *bool     `json:"as-is"`
	Flat   *struct{} `json:"flat"`
	Custom *struct{} `json:"custom"`
}

type backMatter struct {
	Resources []resource `json:"resources"`
}

type resource struct {
	UUID   string `json:"uuid"`
	Rlinks []struct {
		Href string `json:"href"`
	} `json:"rlinks"`
}
