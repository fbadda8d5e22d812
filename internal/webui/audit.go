package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
)

type auditPage struct {
	Records []domain.AuditRecord
	Filter  domain.AuditFilter
	Query   url.Values
	NextURL string
	Errors  formErrors
}

func (a auditPage) FormError() string { return a.Errors.Summary }

func (u *UI) auditPage(c *gin.Context) error {
	d := auditPage{Query: c.Request.URL.Query()}
	f, err := domain.ParseAuditFilter(c.Request.URL.Query(), u.Location)
	if err != nil {
		d.Errors = newFormErrors(err)
		return u.render(c, statusOf(err), "audit", "Protokoll", d)
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	d.Filter = f
	recs, next, err := u.DB.ListAudit(c.Request.Context(), f)
	if err != nil {
		return err
	}
	d.Records = recs
	if next > 0 {
		q := c.Request.URL.Query()
		q.Set("cursor", strconv.FormatInt(next, 10))
		d.NextURL = "/audit?" + q.Encode()
	}
	return u.render(c, http.StatusOK, "audit", "Protokoll", d)
}

// actionLabel names an audit action in German. A code without a label is
// shown as it is, so that no record becomes unreadable; audit_labels_test.go
// makes sure every action the code records has one.
func actionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

var actionLabels = map[string]string{
	"user.create":       "Konto angelegt",
	"user.update":       "Konto geändert",
	"user.set_password": "Passwort gesetzt",
	"user.disable":      "Konto gesperrt",
	"user.enable":       "Konto entsperrt",
	"grant.create":      "Rolle vergeben",
	"grant.delete":      "Rolle entzogen",

	"session.create":     "Anmeldung",
	"session.delete":     "Abmeldung",
	"session.revoke":     "Sitzung beendet",
	"session.revoke_all": "Alle Sitzungen beendet",
	"token.create":       "API-Token erstellt",
	"token.revoke":       "API-Token widerrufen",
	"token.revoke_all":   "Alle API-Tokens widerrufen",

	"login.lockout":          "Anmeldung verzögert (Fehlversuche)",
	"login.lockout_client":   "Anmeldungen einer Adresse verzögert (Fehlversuche)",
	"login.lockout_lift":     "Anmeldesperre aufgehoben",
	"session.reauthenticate": "Passwort für Freigabe bestätigt",

	"department.create": "Organisationseinheit angelegt",
	"department.update": "Organisationseinheit geändert",
	"department.delete": "Organisationseinheit gelöscht",

	"catalog.import":          "Katalog importiert",
	"catalog.cross_reference": "Kreuzreferenztabellen importiert",

	"component_definition.import": "Komponentendefinition importiert",

	"mapping_collection.import": "Zuordnung (Mapping) importiert",

	"scope.create":       "Informationsverbund angelegt",
	"scope.update":       "Informationsverbund geändert",
	"object.create":      "Zielobjekt angelegt",
	"object.update":      "Zielobjekt geändert",
	"object.delete":      "Zielobjekt gelöscht",
	"object.import":      "Zielobjekt importiert",
	"object.needs":       "Schutzbedarf geändert",
	"dependency.create":  "Abhängigkeit hinzugefügt",
	"dependency.delete":  "Abhängigkeit entfernt",
	"modelling.assign":   "Baustein zugeordnet (Modellierung)",
	"modelling.unassign": "Baustein-Zuordnung entfernt (Modellierung)",
	"component.assign":   "Komponente zugeordnet",
	"component.unassign": "Komponenten-Zuordnung entfernt",

	"check.derive":          "IT-Grundschutz-Check aus der Modellierung abgeleitet",
	"check.update":          "IT-Grundschutz-Check: Eintrag geändert",
	"check.update_by_group": "IT-Grundschutz-Check: Eintrag von der Gruppe übernommen",
	"plan.update":           "Realisierungsplan: Maßnahme geändert",

	"scope.param_set":   "Parameter: Wert der Institution gesetzt",
	"scope.raise_level": "Sicherheitsniveau einer Anforderung angehoben",
	"scope.lower_level": "Anhebung des Sicherheitsniveaus zurückgenommen",
	"scope.param_clear": "Parameter: Wert der Institution entfernt",

	"risk.matrix":          "Risikomatrix geändert",
	"risk.analysis_create": "Risikoanalyse angelegt",
	"risk.analysis_update": "Risikoanalyse geändert",
	"risk.item_create":     "Risikoanalyse: Gefährdung hinzugefügt",
	"risk.item_update":     "Risikoanalyse: Gefährdung bewertet oder behandelt",
	"risk.item_delete":     "Risikoanalyse: Gefährdung entfernt",
	"risk.accept":          "Risikoakzeptanz durch die Leitung",
	"risk.acceptance_void": "Risikoakzeptanz ungültig geworden",

	"exception.create": "Ausnahme durch die Leitung genehmigt",
	"exception.revoke": "Ausnahme widerrufen",

	"evidence.create":            "Nachweis hochgeladen",
	"evidence.update":            "Nachweis geändert",
	"evidence.version":           "Neue Version eines Nachweises",
	"evidence.review":            "Nachweis geprüft",
	"evidence.comment":           "Nachweis kommentiert",
	"evidence.link":              "Nachweis verknüpft",
	"evidence.unlink":            "Verknüpfung eines Nachweises entfernt",
	"evidence.integrity_failure": "Nachweis beschädigt: Prüfsumme stimmt nicht",
	"evidence.read":              "Nachweis heruntergeladen",
	"report.read":                "Bericht heruntergeladen",

	"audit.create":          "Audit geplant",
	"audit.update":          "Audit geändert",
	"audit.sample_add":      "Audit: Element in die Stichprobe aufgenommen",
	"audit.sample_draw":     "Audit: Stichprobe gezogen",
	"audit.sample_remove":   "Audit: Element aus der Stichprobe entfernt",
	"audit.sample_result":   "Audit: Ergebnis zur Stichprobe erfasst",
	"finding.create":        "Feststellung erfasst",
	"finding.update":        "Feststellung geändert",
	"finding.action_submit": "Korrekturmaßnahme eingereicht",
	"finding.action_verify": "Korrekturmaßnahme geprüft",

	"guideline.create":    "Entwurf der Leitlinie angelegt",
	"guideline.update":    "Entwurf der Leitlinie geändert",
	"guideline.delete":    "Entwurf der Leitlinie gelöscht",
	"guideline.approve":   "Leitlinie durch die Leitung freigegeben",
	"guideline.supersede": "Leitlinie abgelöst",
	"policy.create":       "Richtlinie (A.0) erfasst",
	"policy.update":       "Richtlinie (A.0) geändert",
	"policy.withdraw":     "Richtlinie (A.0) zurückgezogen",
	"certificate.create":  "Zertifikat erfasst",
	"certificate.update":  "Zertifikat geändert",
	"certificate.delete":  "Zertifikat gelöscht",
}
