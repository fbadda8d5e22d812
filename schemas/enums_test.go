package schemas_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
	"ismsd/internal/objectimport"
	"ismsd/internal/objectio"
	"ismsd/internal/report"
	"ismsd/schemas"
)

// noValue stands for null in an enum.
const noValue = "null"

// codes turns a constant set into the strings an enum lists; extras are
// the values a field may hold besides (noValue for null, "" for unset).
func codes[T ~string](set []T, extras ...string) []string {
	out := slices.Clone(extras)
	for _, v := range set {
		out = append(out, string(v))
	}
	return out
}

func needCodes(extras ...string) []string {
	out := slices.Clone(extras)
	for _, n := range domain.Needs {
		out = append(out, n.Code())
	}
	return out
}

// enumSources says, for every enum of the schemas (file and JSON pointer
// of the "enum" keyword's object), which constant set of the code it
// stands for. An enum missing here fails the test, so a new one gets a
// decision too.
var enumSources = map[string][]string{
	"audit.json#/$defs/kind":  codes(domain.AuditKinds),
	"audit.json#/$defs/state": codes(domain.AuditStates),
	"catalog-demo.json#/properties/requirements/items/properties/level": codes(domain.Levels),
	"catalog-demo.json#/$defs/block/properties/k":                       codes(domain.BlockKinds),
	"catalog-import.json#/properties/kind":                              codes(catalog.Kinds),
	"catalog-requirement.json#/properties/level":                        codes(domain.Levels),
	"catalog-upload.json#/properties/kind":                              codes(catalog.Kinds),
	"catalog.json#/properties/kind":                                     codes(domain.CatalogKinds),
	"correspondence.json#/properties/relationship":                      codes(domain.Relationships),
	"correspondence.json#/properties/direction":                         {"to", "from"},
	"check-bulk.json#/properties/items/items/properties/status":         codes(domain.Statuses),
	"check-entry.json#/properties/level":                                codes(domain.Levels),
	"check-entry.json#/properties/obligation":                           codes(domain.Obligations),
	"exception.json#/properties/obligation":                             codes(domain.Obligations),
	"exception.json#/properties/entry_status":                           codes(domain.Statuses),
	// "expiring" is a filter of the list; an answer says valid and days_left.
	"exception.json#/properties/state":     codes([]domain.ExceptionState{domain.ExceptionValid, domain.ExceptionExpired, domain.ExceptionRevoked}),
	"check-entry.json#/properties/status":  codes(domain.Statuses),
	"check-update.json#/properties/status": codes(domain.Statuses),
	// An auditor's verdict is a decided one: pending is not sent.
	"corrective-action-verify.json#/properties/verdict": codes(domain.Verdicts[1:]),
	// A comment that decides nothing has no decision; a review decides
	// anything but "submitted".
	"evidence-comment.json#/properties/decision":                           codes(domain.ReviewStates[1:], noValue),
	"evidence-link.json#/properties/target":                                codes(domain.LinkTargets),
	"evidence-review.json#/properties/decision":                            codes(domain.ReviewStates[1:]),
	"evidence.json#/$defs/version/properties/state":                        codes(domain.ReviewStates),
	"evidence.json#/properties/links/items/properties/target":              codes(domain.LinkTargets),
	"finding-create.json#/$defs/links/items/properties/target":             codes(domain.FindingTargets),
	"finding.json#/properties/state":                                       codes(domain.FindingStates),
	"finding.json#/properties/links/items/properties/target":               codes(domain.FindingTargets),
	"finding.json#/properties/corrective_actions/items/properties/verdict": codes(domain.Verdicts),
	"finding.json#/$defs/class":                                            codes(domain.FindingClasses),
	"grant-create.json#/properties/role":                                   codes(domain.Roles),
	"grant.json#/properties/role":                                          codes(domain.Roles),
	"guideline.json#/properties/state":                                     codes(domain.GuidelineStates),
	"guideline.json#/$defs/approach":                                       codes(domain.Approaches),
	"package.json#/$defs/method":                                           codes(domain.Methods),
	"package.json#/$defs/obligation":                                       codes(domain.Obligations),
	"package.json#/properties/figures/items/properties/level":              codes(domain.Levels),
	"import-plan.json#/properties/format":                                  codes(objectio.Formats),
	"import-plan.json#/properties/rows/items/properties/action": codes([]objectimport.Action{objectimport.ActionCreate,
		objectimport.ActionUpdate, objectimport.ActionUnchanged, objectimport.ActionError}),
	"needs-update.json#/$defs/level":                         needCodes(noValue),
	"needs-update.json#/$defs/need/properties/override_kind": codes(domain.OverrideKinds, noValue, ""),
	// The scope object is created with its scope, never by hand.
	"object-create.json#/properties/type":                                             codes(domain.ObjectTypes[1:]),
	"object-update.json#/properties/type":                                             codes(domain.ObjectTypes[1:]),
	"objects-import.json#/$defs/object/properties/type":                               codes(domain.ObjectTypes[1:]),
	"object.json#/properties/type":                                                    codes(domain.ObjectTypes),
	"object.json#/$defs/level":                                                        needCodes(noValue),
	"object.json#/$defs/need/properties/source":                                       codes(domain.NeedSources, ""),
	"objects-import.json#/$defs/need":                                                 needCodes(noValue),
	"objects-upload.json#/properties/format":                                          codes(objectio.Formats),
	"plan-item.json#/properties/level":                                                codes(domain.Levels),
	"plan-item.json#/properties/entry_status":                                         codes(domain.Statuses),
	"plan-item.json#/properties/state":                                                codes(domain.PlanStates),
	"plan-update.json#/properties/state":                                              codes(domain.PlanStates),
	"policy.json#/properties/state":                                                   codes(domain.PolicyStates),
	"readiness-blocker.json#/properties/gate":                                         codes(domain.Gates),
	"readiness-blocker.json#/properties/kind":                                         domain.BlockerKinds,
	"readiness-history.json#/properties/items/items/properties/gates/propertyNames":   codes(domain.Gates),
	"readiness-history.json#/properties/items/items/properties/entries/propertyNames": codes(domain.SnapshotLevels[:]),
	"readiness-history.json#/properties/forecast/properties/outcome":                  codes(domain.ForecastOutcomes),
	"readiness.json#/properties/gates/items/properties/id":                            codes(domain.Gates),
	"readiness.json#/properties/gates/items/properties/status":                        codes(domain.GateStatuses),
	"readiness.json#/properties/levels/items/properties/level":                        codes(domain.Levels),
	"report.json#/properties/formats/items/properties/format":                         codes([]report.Format{report.XLSX, report.PDF, report.CSV}),
	"risk-acceptance.json#/$defs/entry/properties/level":                              codes(domain.Levels),
	// An analysis exists, so its state is never "none".
	"risk-analysis.json#/properties/state":               codes(domain.RiskStates[1:]),
	"risk-item-update.json#/properties/treatment":        codes(domain.Treatments, noValue),
	"risk-item.json#/properties/treatment":               codes(domain.Treatments, noValue),
	"risk-item.json#/$defs/requirement/properties/level": codes(domain.Levels),
	"risk-overview.json#/properties/reasons/items":       codes(domain.AllRiskReasons),
	"risk-overview.json#/properties/needs/properties/c":  needCodes(noValue),
	"risk-overview.json#/properties/needs/properties/i":  needCodes(noValue),
	"risk-overview.json#/properties/needs/properties/a":  needCodes(noValue),
	"risk-overview.json#/properties/state":               codes(domain.RiskStates),
	"sample-add.json#/properties/type":                   codes(domain.SampleTypes),
	"sample-item.json#/properties/type":                  codes(domain.SampleTypes),
	"sample-item.json#/properties/entry_status":          codes(domain.Statuses, ""),
	"sample-result.json#/$defs/result":                   codes(domain.SampleResults),
	"scope-create.json#/properties/approach":             codes(domain.Approaches),
	"scope-update.json#/properties/approach":             codes(domain.Approaches),
	"scope.json#/properties/approach":                    codes(domain.Approaches),
	"search-hit.json#/properties/level":                  codes(domain.Levels),
	"text.json#/items/properties/k":                      codes(domain.BlockKinds),
}

// enumsOfTheirOwn are enums that stand for no constant set of the code,
// with why.
var enumsOfTheirOwn = map[string]string{
	"catalog-demo.json#/properties/modelling_hints/items/properties/order": "the Kompendium's modelling orders R1 to R3, read as text",
	"me.json#/properties/authenticated_by":                                 "how this request was authenticated: a session cookie or a token",
	"objects-upload.json#/properties/dry_run":                              "a form field's boolean",
	"plan-item.json#/properties/priority":                                  "priorities 1 (high) to 3 (low), see domain.PriorityLabel",
	"plan-update.json#/properties/priority":                                "priorities 1 (high) to 3 (low), see domain.PriorityLabel",
}

// TestEnumsMatchDomain: every enum of the schemas that stands for a
// constant set of the code lists exactly its values, so that neither a
// new constant nor a new enum value is added on one side only.
func TestEnumsMatchDomain(t *testing.T) {
	found := map[string]bool{}
	names, err := fs.Glob(schemas.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(schemas.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		eachEnum(doc, "", func(ptr string, enum []any) {
			key := name + "#" + ptr
			found[key] = true
			got := enumStrings(enum)
			want, ok := enumSources[key]
			if !ok {
				if _, own := enumsOfTheirOwn[key]; !own {
					t.Errorf("%s: enum %v is in neither enumSources nor enumsOfTheirOwn; say which constants it stands for", key, got)
				}
				return
			}
			want = slices.Clone(want)
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: enum %v, the code's constants %v", key, got, want)
			}
		})
	}
	for key := range enumSources {
		if !found[key] {
			t.Errorf("%s: no such enum any more; remove it from enumSources", key)
		}
	}
	for key := range enumsOfTheirOwn {
		if !found[key] {
			t.Errorf("%s: no such enum any more; remove it from enumsOfTheirOwn", key)
		}
	}
}

// eachEnum calls f with the pointer and values of every "enum" in doc.
func eachEnum(doc any, ptr string, f func(string, []any)) {
	switch v := doc.(type) {
	case map[string]any:
		if enum, ok := v["enum"].([]any); ok {
			f(ptr, enum)
		}
		for k, child := range v {
			eachEnum(child, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), f)
		}
	case []any:
		for i, child := range v {
			eachEnum(child, ptr+"/"+strconv.Itoa(i), f)
		}
	}
}

func enumStrings(enum []any) []string {
	out := make([]string, len(enum))
	for i, v := range enum {
		if v == nil {
			out[i] = noValue
		} else {
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}
