package objectio

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"ismsd/internal/domain"
)

// Write writes rows as a file of the format, every column in the canonical
// order (Row.Present is not consulted: an export is complete). CSV and
// XLSX get a header row of the canonical names. Types and needs are
// written as codes ("it_system", "very_high"), lists joined by ";". Rows
// are written as they are, not validated.
func Write(f Format, w io.Writer, rows []Row) error {
	if cd, ok := codecs[f]; ok {
		return cd.write(w, rows)
	}
	_, err := ParseFormat(string(f))
	return err
}

// texts is the row as the cells of a CSV file, in column order.
func (r *Row) texts() [numColumns]string {
	var t [numColumns]string
	t[cExternalID] = r.ExternalID
	t[cShortID] = r.ShortID
	t[cName] = r.Name
	t[cType] = string(r.Type)
	t[cDescription] = r.Description
	t[cDepartment] = r.Department
	t[cResponsible] = r.Responsible
	t[cLocation] = r.Location
	t[cTags] = strings.Join(r.Tags, ";")
	t[cNoSuitableModule] = strconv.FormatBool(r.NoSuitableModule)
	t[cUntypicalEnvironment] = strconv.FormatBool(r.UntypicalEnvironment)
	t[cGroup] = strconv.FormatBool(r.Group)
	t[cMembers] = strconv.Itoa(r.members())
	for i := range 3 {
		t[needCols[i]] = r.Need[i].Code()
		t[reasonCols[i]] = r.NeedReason[i]
	}
	t[cDependsOn] = strings.Join(r.DependsOn, ";")
	return t
}

// members is the count to write: a row built by hand may leave it 0.
func (r *Row) members() int {
	if r.Members < 1 {
		return 1
	}
	return r.Members
}

// Template returns an example file of the format: the header and two
// example rows, marked "Beispiel", that read back without errors.
func Template(f Format) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(f, &buf, templateRows()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// templateRows shows the common cases: an application that depends on the
// servers it runs on, and those servers as one group. The file refers to
// nothing outside itself, so that it imports as it is.
func templateRows() []Row {
	return []Row{
		{
			ObjectFields: domain.ObjectFields{
				ExternalID:  "BEISPIEL-APP-001",
				Name:        "Beispiel: Fachverfahren Meldewesen",
				Description: "Beispiel – bitte löschen oder überschreiben. Webanwendung für das Meldewesen der Kommunen.",
				Responsible: "Erika Mustermann",
				Location:    "Rechenzentrum Erfurt",
				Tags:        []string{"Beispiel", "Fachverfahren"},
			},
			ShortID:    "A-001",
			Type:       domain.ObjectApplication,
			Department: "TLRZ",
			Members:    1,
			Need:       [3]domain.Need{domain.NeedHigh, domain.NeedHigh, domain.NeedNormal},
			NeedReason: [3]string{
				"Beispiel: personenbezogene Daten der Meldebehörden",
				"Beispiel: fehlerhafte Meldedaten haben Rechtsfolgen",
				"Beispiel: ein Ausfall bis zu einem Arbeitstag ist tolerierbar",
			},
			DependsOn: []string{"BEISPIEL-SRV-001"},
		},
		{
			ObjectFields: domain.ObjectFields{
				ExternalID:  "BEISPIEL-SRV-001",
				Name:        "Beispiel: Virtualisierungs-Server Cluster 1",
				Description: "Beispiel – bitte löschen oder überschreiben. Vier gleichartig konfigurierte Hosts, als Gruppe modelliert.",
				Responsible: "Max Mustermann",
				Location:    "Rechenzentrum Erfurt, Raum 0.12",
				Tags:        []string{"Beispiel", "Virtualisierung"},
			},
			ShortID:    "S-001",
			Type:       domain.ObjectITSystem,
			Department: "TLRZ",
			Group:      true,
			Members:    4,
		},
	}
}
