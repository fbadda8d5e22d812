package domain

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The filters of the lists (target objects, check entries, measures,
// evidence, the audit trail, the catalog search), read from a query
// string by pure functions: the API and the pages take the same
// parameters and refuse the same values with the same violations, listed
// in the order in which the parameters are read.

// ObjectFilter selects target objects; zero fields do not filter.
type ObjectFilter struct {
	Text         string // in name, short ID or external ID
	Type         ObjectType
	DepartmentID int64 // with the departments below it
	Tag          string
	GapsOnly     bool   // modelling gaps only
	NoModuleOnly bool   // flagged "no suitable module" only
	OnCycle      bool   // on a dependency cycle only
	Undetermined bool   // with an objective without protection need only
	NeedAtLeast  Need   // effective need at least this in some objective
	Sort         string // one of ObjectSortKeys; name by default
	Desc         bool
	Limit        int
	Offset       int
}

// ObjectSortKeys are the orders of the object list.
var ObjectSortKeys = []string{"name", "short_id", "type", "department", "updated", "need"}

// EntryFilter selects check entries; zero fields do not filter.
type EntryFilter struct {
	ObjectID       int64
	ModuleID       string
	Status         Status
	Level          Level
	Obligation     Obligation // Grundschutz++: MUSS, SOLLTE or KANN
	Effort         *int       // Grundschutz++: the requirement's effort level, 0 to 5
	DepartmentID   int64      // with its subtree
	Responsible    string     // part of the name, any case
	ReviewOverdue  bool       // next review before Today
	Today          time.Time
	IncludeRetired bool
	After          int64 // cursor: entries with a larger id
	Limit          int
	// Order "object" lists by object and requirement (for the check
	// pages); the default is by id (stable, for cursors).
	Order string
}

// PlanFilter selects measures of the implementation plan.
type PlanFilter struct {
	Owner        string // part of the name, any case
	DepartmentID int64  // with its subtree
	DueMonth     string // "2026-12"
	State        PlanState
	IncludeDone  bool
	OverdueOnly  bool
	Today        time.Time
	After        int64
	Limit        int
}

// EvidenceFilter selects evidence items.
type EvidenceFilter struct {
	State        ReviewState // of the newest version
	Query        string      // part of the title, description or file name
	DepartmentID int64       // with its subtree
	Tag          string
	// ExpiringWithin lists items whose newest version is valid and ends
	// within so many days from Today; Expired those that ended before it.
	ExpiringWithin int
	Expired        bool
	Today          time.Time
	// ReviewQueue lists what the reader may review: submitted newest
	// versions not uploaded by ReviewerID, oldest first.
	ReviewQueue bool
	ReviewerID  int64
	UploadedBy  int64 // only items whose newest version this user uploaded
	// Target and TargetID list the items linked to a check entry, risk
	// analysis, measure or finding that the reader may see.
	Target   LinkTarget
	TargetID int64
	After    int64 // cursor: the id of the last item of the previous page
	Limit    int
}

// AuditFilter selects audit records; zero fields do not filter.
type AuditFilter struct {
	From, To     time.Time
	Actor        string // user name, exact
	ResourceType string
	ResourceID   string
	BeforeSeq    int64 // cursor: only records older than this
	Limit        int
}

// SearchQuery is a search of the catalogs' requirements.
type SearchQuery struct {
	Text             string
	CatalogID        int64
	GroupKey         string // layer or practice
	Level            Level
	IncludeWithdrawn bool
	Limit, Offset    int
}

// ParseObjectFilter reads the parameters of the object list.
func ParseObjectFilter(v url.Values) (ObjectFilter, error) {
	q := query{v: v}
	f := ObjectFilter{Text: q.text("q"), Type: ObjectType(v.Get("type")), Tag: v.Get("tag"), GapsOnly: q.flag("gaps"),
		NoModuleOnly: q.flag("flagged"), OnCycle: q.flag("cycle"), Undetermined: q.flag("undetermined")}
	if f.Type != "" && !f.Type.Valid() {
		q.bad("type", "unknown object type", "Unbekannter Typ.")
	}
	q.id("department", &f.DepartmentID, "must be a department id", "Unbekannte Organisationseinheit.")
	if s := v.Get("need"); s != "" {
		n, ok := ParseNeed(s)
		if !ok || n == NeedUnknown {
			q.bad("need", "must be normal, high or very_high", "Unbekannter Schutzbedarf.")
		}
		f.NeedAtLeast = n
	}
	if s := v.Get("sort"); s != "" {
		f.Sort, f.Desc = strings.TrimPrefix(s, "-"), strings.HasPrefix(s, "-")
		if !slices.Contains(ObjectSortKeys, f.Sort) {
			q.bad("sort", "unknown sort key", "Unbekannte Sortierung.")
		}
	}
	q.limit(&f.Limit, 500)
	q.number("cursor", &f.Offset, 0, -1, "not a cursor of this list", "Ungültige Seitenangabe.")
	return f, q.err()
}

// ParseEntryFilter reads the parameters of the check-entry list.
func ParseEntryFilter(v url.Values) (EntryFilter, error) {
	q := query{v: v}
	f := EntryFilter{ModuleID: v.Get("module"), Status: Status(v.Get("status")), Level: Level(v.Get("level")),
		Responsible: q.text("responsible"), ReviewOverdue: q.flag("review_overdue"), IncludeRetired: q.flag("retired")}
	if f.Status != "" && !f.Status.Valid() {
		q.bad("status", "unknown status", "Unbekannter Umsetzungsstatus.")
	}
	if f.Level != "" && !slices.Contains(Levels, f.Level) {
		q.bad("level", "must be basis, standard or elevated", "Unbekannte Stufe.")
	}
	if s := v.Get("obligation"); s != "" {
		o, ok := ParseModalVerb(s)
		if !ok || o != Obligation(s) {
			q.bad("obligation", "must be muss, sollte or kann", "Unbekanntes Modalverb.")
		}
		f.Obligation = o
	}
	if v.Get("effort") != "" {
		f.Effort = new(int)
		q.number("effort", f.Effort, 0, 5, "must be an effort level from 0 to 5", "Bitte eine Aufwandsstufe von 0 bis 5.")
	}
	q.ids(map[string]*int64{"cursor": &f.After, "department": &f.DepartmentID, "object": &f.ObjectID}, "cursor", "department", "object")
	q.limit(&f.Limit, 1000)
	return f, q.err()
}

// ParsePlanFilter reads the parameters of the implementation plan.
func ParsePlanFilter(v url.Values) (PlanFilter, error) {
	q := query{v: v}
	f := PlanFilter{Owner: q.text("owner"), DueMonth: v.Get("month"), State: PlanState(v.Get("state")),
		OverdueOnly: q.flag("overdue"), IncludeDone: q.flag("done")}
	if f.State != "" && !f.State.Valid() {
		q.bad("state", "unknown state", "Unbekannter Stand.")
	}
	if f.DueMonth != "" {
		if _, err := time.Parse("2006-01", f.DueMonth); err != nil {
			q.bad("month", "want a month as 2006-01", "Bitte einen Monat angeben.")
		}
	}
	q.ids(map[string]*int64{"cursor": &f.After, "department": &f.DepartmentID}, "cursor", "department")
	q.limit(&f.Limit, 1000)
	return f, q.err()
}

// ParseEvidenceFilter reads the parameters of the evidence list for the
// reader: queue=true is their review queue (never their own uploads),
// mine=true their own uploads.
func ParseEvidenceFilter(v url.Values, reader int64) (EvidenceFilter, error) {
	q := query{v: v}
	f := EvidenceFilter{State: ReviewState(v.Get("state")), Query: q.text("q"), Tag: v.Get("tag"), Expired: q.flag("expired"),
		ReviewQueue: q.flag("queue"), Target: LinkTarget(v.Get("target"))}
	if f.State != "" && !f.State.Valid() {
		q.bad("state", "unknown review state", "Unbekannter Prüfstand.")
	}
	if f.Target != "" && !f.Target.Valid() {
		q.bad("target", "unknown kind of link", "Unbekannte Art der Verknüpfung.")
	}
	q.number("expiring", &f.ExpiringWithin, 1, 366, "days from 1 to 366", "Bitte eine Zahl von Tagen (1 bis 366).")
	if f.ReviewQueue {
		f.ReviewerID = reader
	}
	if q.flag("mine") {
		f.UploadedBy = reader
	}
	q.ids(map[string]*int64{"cursor": &f.After, "department": &f.DepartmentID, "target_id": &f.TargetID}, "cursor", "department", "target_id")
	q.limit(&f.Limit, 1000)
	if f.Target != "" && f.TargetID == 0 {
		q.bad("target_id", "a target needs its id", "Zum Ziel fehlt die Nummer.")
	}
	return f, q.err()
}

// ParseExceptionFilter reads the parameters of a scope's exceptions.
func ParseExceptionFilter(v url.Values) (ExceptionFilter, error) {
	q := query{v: v}
	f := ExceptionFilter{State: ExceptionState(v.Get("state"))}
	if f.State != "" && !slices.Contains(ExceptionStates, f.State) {
		q.bad("state", "must be valid, expiring, expired or revoked", "Unbekannter Stand der Ausnahme.")
	}
	q.number("days", &f.ExpiringWithin, 1, 366, "days from 1 to 366", "Bitte eine Zahl von Tagen (1 bis 366).")
	if f.ExpiringWithin != 0 && f.State != ExceptionExpiring {
		q.bad("days", "days need state=expiring", "Die Zahl der Tage gilt nur für „läuft bald ab“.")
	}
	if f.State == ExceptionExpiring && f.ExpiringWithin == 0 {
		f.ExpiringWithin = ExceptionExpiringDays
	}
	q.ids(map[string]*int64{"cursor": &f.After, "department": &f.DepartmentID}, "cursor", "department")
	q.limit(&f.Limit, 1000)
	return f, q.err()
}

// ParseAuditFilter reads the filter of the audit trail; dates are days
// in loc, and a date as upper bound means the end of that day.
func ParseAuditFilter(v url.Values, loc *time.Location) (AuditFilter, error) {
	q := query{v: v}
	f := AuditFilter{Actor: v.Get("actor"), ResourceType: v.Get("resource_type"), ResourceID: v.Get("resource_id")}
	q.time("from", &f.From, false, loc)
	q.time("to", &f.To, true, loc)
	if s := v.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			q.bad("cursor", "not a cursor of this list", "Ungültige Seitenangabe.")
		}
		f.BeforeSeq = n
	}
	q.limit(&f.Limit, 500)
	return f, q.err()
}

// ParseSearchQuery reads a search of the catalogs.
func ParseSearchQuery(v url.Values) (SearchQuery, error) {
	q := query{v: v}
	s := SearchQuery{Text: q.text("q"), GroupKey: v.Get("layer"), Level: Level(v.Get("level")), IncludeWithdrawn: q.flag("withdrawn")}
	if s.Text == "" || TooLong(s.Text, 200) {
		q.bad("q", "give 1 to 200 characters to search for", "Bitte einen Suchbegriff eingeben.")
	}
	q.id("catalog", &s.CatalogID, "must be a catalog id", "Unbekannter Katalog.")
	if s.Level != "" && !slices.Contains(Levels, s.Level) {
		q.bad("level", "must be basis, standard or elevated", "Unbekannte Stufe.")
	}
	q.limit(&s.Limit, 100)
	q.number("cursor", &s.Offset, 0, 100000, "not a cursor of this search", "Ungültige Seitenangabe.")
	return s, q.err()
}

// query reads list parameters and collects the violations of bad ones.
type query struct {
	v  url.Values
	vs []Violation
}

func (q *query) bad(name, detail, german string) {
	q.vs = append(q.vs, Violation{Pointer: "/" + name, Detail: detail, German: german})
}

func (q *query) err() error {
	if len(q.vs) > 0 {
		return Invalid(q.vs...)
	}
	return nil
}

func (q *query) text(name string) string { return strings.TrimSpace(q.v.Get(name)) }

func (q *query) flag(name string) bool { return q.v.Get(name) == "true" }

// id reads a positive number (an id) if the parameter is given.
func (q *query) id(name string, dst *int64, detail, german string) {
	if s := q.v.Get(name); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			q.bad(name, detail, german)
		}
		*dst = n
	}
}

// ids reads the ids of dst in the order of names.
func (q *query) ids(dst map[string]*int64, names ...string) {
	for _, name := range names {
		q.id(name, dst[name], "must be a positive number", "Ungültige Angabe.")
	}
}

// number reads a number from min to max (max < 0: no upper bound) if the
// parameter is given.
func (q *query) number(name string, dst *int, min, max int, detail, german string) {
	if s := q.v.Get(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < min || max >= 0 && n > max {
			q.bad(name, detail, german)
		}
		*dst = n
	}
}

// limit reads the page size, from 1 to max.
func (q *query) limit(dst *int, max int) {
	n := strconv.Itoa(max)
	q.number("limit", dst, 1, max, "must be a number from 1 to "+n, "Bitte eine Zahl von 1 bis "+n+".")
}

// time reads an RFC 3339 time or a day in loc; as upper bound (endOfDay)
// a day means its end.
func (q *query) time(name string, dst *time.Time, endOfDay bool, loc *time.Location) {
	s := q.v.Get(name)
	if s == "" {
		return
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		*dst = t
		return
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		q.vs = append(q.vs, Violation{Pointer: "/" + name, Detail: "want a time as 2006-01-02T15:04:05Z07:00 or a date as 2006-01-02",
			German: "Bitte ein Datum angeben."})
		return
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	*dst = d
}
