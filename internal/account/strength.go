package account

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"ismsd/internal/domain"
)

// MinPasswordScore is the least zxcvbn score (0 to 4) a new password must
// reach: 3 stands for about 10^8 guesses or more, "safely unguessable" by
// an attacker who has to go through the login.
const MinPasswordScore = 3

// strengthPrefix bounds the part of a password the estimator looks at:
// its time grows steeply with the length (a random 100 characters take a
// tenth of a second), and 64 characters that are weak on their own do
// not make a strong password.
const strengthPrefix = 64

// checkNewPassword applies the password policy to a password about to be
// set for the account username (named displayName): its length, not
// equal to or containing the user name, and strong by zxcvbn with the
// names as words an attacker would try first. pointer names the field.
func (s *Service) checkNewPassword(pointer, password, username, displayName string) error {
	if err := domain.ValidatePassword(pointer, password); err != nil {
		return err
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return domain.Invalid(domain.Violation{Pointer: pointer, Detail: "the password must not contain the user name",
			German: "Das Passwort darf den Benutzernamen nicht enthalten."})
	}
	prefix := password
	if utf8.RuneCountInString(prefix) > strengthPrefix {
		prefix = string([]rune(prefix)[:strengthPrefix])
	}
	var inputs []string
	for _, in := range append([]string{username, displayName}, strings.Fields(displayName)...) {
		if in != "" {
			inputs = append(inputs, in)
		}
	}
	// The estimator is CPU-bound like hashing: it shares its slots.
	s.hashSlots <- struct{}{}
	score := zxcvbn.PasswordStrength(prefix, inputs).Score
	<-s.hashSlots
	if score < MinPasswordScore {
		return domain.Invalid(domain.Violation{Pointer: pointer,
			Detail: "the password is too easy to guess; use a longer passphrase of several unrelated words",
			German: "Das Passwort ist zu leicht zu erraten. Verwenden Sie eine längere Passphrase aus mehreren Wörtern, die nichts miteinander zu tun haben."})
	}
	return nil
}
