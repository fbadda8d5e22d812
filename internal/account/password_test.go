package account

import (
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id in PHC format with the OWASP parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := VerifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=x$a$b", "$argon2i$v=19$m=1,t=1,p=1$a$b"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestSecretsAreRandomAndOnlyHashed(t *testing.T) {
	a, b := newSecret(), newSecret()
	if a == b || len(a) < 40 {
		t.Errorf("secrets %q %q", a, b)
	}
	if string(hashSecret(a)) == a || len(hashSecret(a)) != 32 {
		t.Error("hashSecret does not hash")
	}
	if p := GeneratePassword(); len(p) < 20 {
		t.Errorf("generated password %q too short", p)
	}
}
