package domain

import "testing"

func TestVoidReasons(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{VoidThreatAdded("G 0.1 Feuer"), "Eine Gefährdung wurde hinzugefügt: G 0.1 Feuer."},
		{VoidThreatRemoved("Eigene"), "Eine Gefährdung wurde aus der Risikoanalyse entfernt: Eigene."},
		{VoidThreatsChanged([]string{"G 0.1 Feuer"}), "Eine Gefährdung der Risikoanalyse wurde geändert: G 0.1 Feuer."},
		{VoidThreatsChanged([]string{"G 0.1 Feuer", "G 0.2 Wasser"}), "Gefährdungen der Risikoanalyse wurden geändert: G 0.1 Feuer, G 0.2 Wasser."},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
