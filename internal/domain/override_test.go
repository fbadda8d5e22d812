package domain

import (
	"strings"
	"testing"
)

func TestOverrideDirection(t *testing.T) {
	const (
		u, n, h, v = NeedUnknown, NeedNormal, NeedHigh, NeedVeryHigh
		cum, dis   = OverrideCumulation, OverrideDistribution
	)
	for _, c := range []struct {
		kind      OverrideKind
		override  Need
		principle Need
		refused   string
	}{
		{cum, h, n, ""},
		{cum, v, h, ""},
		{cum, n, u, ""}, // nothing determined yet: any value raises
		{cum, h, h, "Ein Kumulationseffekt darf den Schutzbedarf nur erhöhen; nach dem Maximumprinzip ist er „hoch“."},
		{cum, n, v, "nur erhöhen; nach dem Maximumprinzip ist er „sehr hoch“"},
		{dis, n, h, ""},
		{dis, h, v, ""},
		{dis, h, h, "Ein Verteilungseffekt darf den Schutzbedarf nur senken; nach dem Maximumprinzip ist er „hoch“."},
		{dis, v, n, "nur senken"},
		{dis, n, u, "nur senken; nach dem Maximumprinzip ist er „nicht festgelegt“"},
		{OverrideManual, n, v, ""},
		{OverrideManual, v, n, ""},
	} {
		vs := NeedInput{OverrideKind: c.kind, Override: c.override}.CheckDirection("/i", c.principle)
		switch {
		case c.refused == "" && len(vs) > 0:
			t.Errorf("%s to %s over %s refused: %+v", c.kind, c.override.Code(), c.principle.Code(), vs)
		case c.refused != "" && (len(vs) != 1 || vs[0].Pointer != "/i/override" || !strings.Contains(vs[0].German, c.refused) || vs[0].Detail == ""):
			t.Errorf("%s to %s over %s: %+v, want %q at /i/override", c.kind, c.override.Code(), c.principle.Code(), vs, c.refused)
		}
	}
}

func TestOverrideNote(t *testing.T) {
	for _, c := range []struct {
		need ObjectNeed
		says string
	}{
		{ObjectNeed{Own: NeedHigh, Effective: NeedHigh, Source: SourceOwn}, ""},
		{ObjectNeed{Inherited: NeedHigh, OverrideKind: OverrideDistribution, Override: NeedNormal, Effective: NeedNormal}, ""},
		{ObjectNeed{Inherited: NeedNormal, OverrideKind: OverrideDistribution, Override: NeedNormal, Effective: NeedNormal},
			"Der Verteilungseffekt senkt den Schutzbedarf nicht mehr: Nach dem Maximumprinzip ist er inzwischen „normal“."},
		{ObjectNeed{Own: NeedVeryHigh, Inherited: NeedNormal, OverrideKind: OverrideCumulation, Override: NeedHigh, Effective: NeedHigh},
			"Der Kumulationseffekt erhöht den Schutzbedarf nicht mehr: Nach dem Maximumprinzip ist er inzwischen „sehr hoch“."},
		{ObjectNeed{Own: NeedHigh, OverrideKind: OverrideDistribution, Override: NeedNormal, Effective: NeedHigh, Cycle: 1},
			"Abhängigkeitszyklus, dessen Zielobjekte alle den höchsten Schutzbedarf unter ihnen erhalten („hoch“). Die Abweichung (Verteilungseffekt) senkt es daher nicht auf „normal“."},
		{ObjectNeed{Own: NeedHigh, OverrideKind: OverrideDistribution, Override: NeedNormal, Effective: NeedNormal, Cycle: 1}, ""},
		{ObjectNeed{OverrideKind: OverrideCumulation, Override: NeedVeryHigh, Effective: NeedVeryHigh, Cycle: 2}, ""},
	} {
		en, de := c.need.OverrideNote()
		if (en == "") != (c.says == "") || !strings.Contains(de, c.says) {
			t.Errorf("%+v: %q / %q, want %q", c.need, en, de, c.says)
		}
	}
}
