package domain

import "testing"

// The default matrix is the example of BSI-Standard 200-3, cell by cell.
func TestDefaultRiskMatrix(t *testing.T) {
	want := map[Impact][4]RiskCategory{ // selten, mittel, häufig, sehr häufig
		ImpactExistential: {RiskMedium, RiskHigh, RiskVeryHigh, RiskVeryHigh},
		ImpactSubstantial: {RiskMedium, RiskMedium, RiskHigh, RiskVeryHigh},
		ImpactLimited:     {RiskLow, RiskLow, RiskMedium, RiskHigh},
		ImpactNegligible:  {RiskLow, RiskLow, RiskLow, RiskLow},
	}
	for i, row := range want {
		for fi, c := range row {
			f := Frequencies[fi]
			if got := Category(DefaultRiskMatrix, f, i); got != c {
				t.Errorf("%s × %s = %s, want %s", f.Label(), i.Label(), got.Label(), c.Label())
			}
		}
	}
	if vs := DefaultRiskMatrix.Validate(); len(vs) != 0 {
		t.Errorf("default matrix refused: %+v", vs)
	}
	falling := DefaultRiskMatrix
	falling[ImpactExistential-1][FrequencyVeryOften-1] = RiskLow
	if vs := falling.Validate(); len(vs) != 1 {
		t.Errorf("a falling matrix: %+v", vs)
	}
	if Category(DefaultRiskMatrix, FrequencyUnassessed, ImpactLimited) != RiskUnknown {
		t.Error("a category without frequency")
	}
}

func TestRiskItemCompleteness(t *testing.T) {
	it := RiskItem{Title: "Feuer", Frequency: FrequencyRare, Impact: ImpactSubstantial, Treatment: TreatmentReduce,
		ResidualFrequency: FrequencyRare, ResidualImpact: ImpactLimited}
	if it.Complete() {
		t.Error("a reduction without requirements or measures is complete")
	}
	it.Requirements = []LinkedRequirement{{ID: "INF.2.A12", Level: LevelElevated}}
	if !it.Complete() {
		t.Errorf("complete item lacks %v", it.Missing())
	}
	it.Treatment = TreatmentTransfer
	if it.Complete() {
		t.Error("a transfer without a description is complete")
	}
	it.Measures = "Elementarschadenversicherung"
	if !it.Complete() || len(it.Validate()) != 0 {
		t.Errorf("transfer with description: %v %v", it.Missing(), it.Validate())
	}
	it.ResidualImpact = ImpactExistential
	if len(it.Validate()) == 0 {
		t.Error("a residual risk above the risk is accepted")
	}
	if got := (RiskAnalysis{}).State(); got != RiskStateInProgress {
		t.Errorf("empty analysis: %s", got)
	}
}
