package objectio

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ismsd/internal/domain"
	"ismsd/internal/scaletest"
)

func TestRoundTrip(t *testing.T) {
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			data := write(t, f, sampleRows())
			got := readOK(t, f, data)
			diffRows(t, withoutLines(got), normalise(sampleRows()))
			// A second trip changes nothing.
			again := readOK(t, f, write(t, f, got))
			diffRows(t, withoutLines(again), withoutLines(got))
			if f != CSV { // CSV lines shift with the line breaks in texts
				for i, r := range got {
					if want := i + 1 + btoi(f != JSON); r.Line != want {
						t.Errorf("row %d: line %d, want %d", i, r.Line, want)
					}
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestCSVWrittenForGermanExcel(t *testing.T) {
	data := write(t, CSV, sampleRows()[:1])
	if !bytes.HasPrefix(data, []byte("\ufeffexternal_id;short_id;name;type;")) {
		t.Errorf("want BOM and ';' header, got %q", data[:min(60, len(data))])
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("want CRLF line ends")
	}
	// Formula-like texts are defused with an apostrophe.
	data = write(t, CSV, sampleRows()[1:2])
	for _, want := range []string{`'=HYPERLINK(`, `;'-5 Punkte;`, `;'+49 361 0000;`, `;'@home;`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("CSV lacks %q:\n%s", want, data)
		}
	}
}

func TestCSVLineNumbers(t *testing.T) {
	in := "external_id,name,type,description\n\nA,Eins,room,\"zwei\nZeilen\"\nB,Zwei,room,\n"
	rows := readOK(t, CSV, []byte(in))
	if len(rows) != 2 || rows[0].Line != 3 || rows[1].Line != 5 {
		t.Errorf("lines %+v", rows)
	}
}

// A file as a German Excel saves it ("CSV UTF-8 (durch Trennzeichen
// getrennt)"): BOM, ";", CRLF, German headers and words.
func TestGermanExcelCSV(t *testing.T) {
	line := func(cells ...string) string {
		if len(cells) != int(numColumns) {
			t.Fatalf("%d cells", len(cells))
		}
		return strings.Join(cells, ";") + "\r\n"
	}
	in := "\ufeff" + strings.Join(germanNames[:], ";") + "\r\n" +
		line("GP-1", "P-001", "Meldewesen", "Geschäftsprozess", "\"Mehrzeilig\r\nmit \"\"Zitat\"\"\"", "Ressort 1",
			"Frau Müller", "Erfurt", "\"Bürger; Kern \"", "nein", "ja", "", "", "sehr hoch", "Hoch", "normal",
			"viele Betroffene", "", "", "APP-1") +
		line("APP-1", "", "Fachverfahren", "anwendung", "", "", "", "", "", "x", "", "", "", "normal", "", "",
			"", "", "", "\"SRV-1; RAUM-1\"") +
		line("SRV-1", "", "Server", "IT-System", "", "", "", "", "", "WAHR", "FALSCH", "Ja", "12", "", "", "Sehr  Hoch",
			"", "", "", "") +
		line(make([]string, numColumns)...)
	rows := readOK(t, CSV, []byte(in))
	want := []Row{
		{Line: 2, ObjectFields: domain.ObjectFields{ExternalID: "GP-1", Name: "Meldewesen", Description: "Mehrzeilig\nmit \"Zitat\"",
			Responsible: "Frau Müller", Location: "Erfurt", Tags: []string{"Bürger", "Kern"}, UntypicalEnvironment: true},
			ShortID: "P-001", Type: domain.ObjectProcess, Department: "Ressort 1", Members: 1,
			Need:       [3]domain.Need{domain.NeedVeryHigh, domain.NeedHigh, domain.NeedNormal},
			NeedReason: [3]string{"viele Betroffene"}, DependsOn: []string{"APP-1"}},
		{Line: 4, ObjectFields: domain.ObjectFields{ExternalID: "APP-1", Name: "Fachverfahren", NoSuitableModule: true},
			Type: domain.ObjectApplication, Members: 1, Need: [3]domain.Need{domain.NeedNormal},
			DependsOn: []string{"SRV-1", "RAUM-1"}},
		{Line: 5, ObjectFields: domain.ObjectFields{ExternalID: "SRV-1", Name: "Server", NoSuitableModule: true},
			Type: domain.ObjectITSystem, Group: true, Members: 12, Need: [3]domain.Need{2: domain.NeedVeryHigh}},
	}
	for i := range want {
		want[i].Present = allPresent()
	}
	diffRows(t, rows, want)
}

func TestGermanHeadersXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	set := func(row int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	set(1, "  EXTERNE ID ", "name", "Typ", "Gruppe", "Anzahl", "Schutzbedarf Verfügbarkeit", "hängt ab von")
	set(2, 4711, "Core-Switch", "gerät", true, 3, "hoch", "R-1;R-2")
	set(4, "R-1", "Rechenzentrum", "Raum", "nein", nil, nil, nil) // row 3 left blank
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows := readOK(t, XLSX, buf.Bytes())
	present := map[string]bool{ColExternalID: true, ColName: true, ColType: true, ColGroup: true,
		ColMembers: true, ColNeedA: true, ColDependsOn: true}
	want := []Row{
		{Line: 2, ObjectFields: domain.ObjectFields{ExternalID: "4711", Name: "Core-Switch"}, Type: domain.ObjectDevice, Group: true, Members: 3,
			Need: [3]domain.Need{2: domain.NeedHigh}, DependsOn: []string{"R-1", "R-2"}, Present: present},
		{Line: 4, ObjectFields: domain.ObjectFields{ExternalID: "R-1", Name: "Rechenzentrum"}, Type: domain.ObjectRoom, Members: 1, Present: present},
	}
	diffRows(t, rows, want)
}

// An absent column is not Present; an implied one is.
func TestPresent(t *testing.T) {
	rows := readOK(t, CSV, []byte("external_id,name,type,members\nA,Router,device,5\nB,Raum,room,\n"))
	if want := map[string]bool{ColExternalID: true, ColName: true, ColType: true, ColMembers: true, ColGroup: true}; !equalMaps(rows[0].Present, want) {
		t.Errorf("members 5 implies group: Present %v", rows[0].Present)
	}
	if !rows[0].Group || rows[0].Members != 5 {
		t.Errorf("row A: %+v", rows[0])
	}
	if rows[1].Present[ColGroup] || rows[1].Present[ColDescription] || !rows[1].Present[ColMembers] || rows[1].Members != 1 {
		t.Errorf("row B: %+v", rows[1])
	}
	rows = readOK(t, CSV, []byte("external_id,name,type,group\nA,Raum,room,nein\n"))
	if !rows[0].Present[ColMembers] || rows[0].Members != 1 {
		t.Errorf("no group means one member: %+v", rows[0])
	}
	rows = readOK(t, JSON, []byte(`{"objects":[{"external_id":"A","name":"N","type":"room","need_c":null}]}`))
	if want := map[string]bool{ColExternalID: true, ColName: true, ColType: true, ColNeedC: true}; !equalMaps(rows[0].Present, want) {
		t.Errorf("JSON Present %v", rows[0].Present)
	}
}

func equalMaps(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Every kind of problem of a hand-written file, collected at once, each
// with its line and column.
func TestEveryRowErrorAtOnce(t *testing.T) {
	in := "external_id,name,type,need_c,group,members,depends_on,Kommentar\n" +
		"A1,,it_system,,,,,\n" + // 2: name missing
		"A2,Server,Servr,,,,,\n" + // 3: unknown type
		"A3,Server,it_system,mittel,,,,\n" + // 4: bad need
		"A4,Server,it_system,,vielleicht,,,\n" + // 5: bad boolean
		"A1,Doppelt,it_system,,,,,\n" + // 6: duplicate external ID
		"A6,Selbst,it_system,,,,A1;A6,\n" + // 7: depends on itself
		"A7,Gut,room,hoch,,,A1,egal\n" + // 8: fine
		"A8,Gruppe,device,,ja,,,\n" + // 9: group without members
		"A9,Null,device,,,0,,\n" + // 10: members not positive
		"A10,Widerspruch,device,,nein,4,,\n" + // 11: members > 1 but no group
		"A11,Verbund,Informationsverbund,,,,,\n" + // 12: the scope is not imported
		",Ohne ID,room,,,,,\n" + // 13: external ID missing
		"A13,Rest,room,,,,,,überzählig\n" + // 14: a value beyond the header
		"A;14,Semikolon,room,,,,,\n" // 15: ";" in an external ID
	rows, errs, err := Read(CSV, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0:Kommentar", "2:name", "3:type", "4:need_c", "5:group", "6:external_id", "7:depends_on",
		"9:members", "10:members", "11:group", "12:type", "13:external_id", "14:", "15:external_id"}
	if got := where(errs); !slices.Equal(got, want) {
		t.Errorf("problems at %v\nwant %v\n%v", got, want, errs)
	}
	for _, e := range errs {
		if e.Detail == "" || e.German == "" {
			t.Errorf("%+v lacks a message", e)
		}
	}
	if !strings.Contains(errs[5].Detail, "line 2") || !strings.Contains(errs[5].German, "Zeile 2") {
		t.Errorf("duplicate names the first line: %+v", errs[5])
	}
	if len(rows) != 1 || rows[0].ExternalID != "A7" || rows[0].Line != 8 {
		t.Errorf("rows %+v, want only A7", rows)
	}
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("x", 201)
	tags := strings.Repeat("t;", 50) + "t51;t52;"
	var many []string
	for i := range 51 {
		many = append(many, "t"+strings.Repeat("i", i))
	}
	in := "external_id,name,type,description,tags,location,need_i_reason\n" +
		"A," + long + ",room,,,,\n" + // name too long
		"B,B,room," + strings.Repeat("y", 4001) + ",,,\n" + // description too long
		"C,C,room,," + strings.Join(many, ";") + ",,\n" + // 51 tags
		"D,D,room,,,Zeile\x01,\n" + // a control character
		"E,E,room,,,,\"zwei\nZeilen\"\n" + // a line break in a long text is fine
		"F,F,room,,\"a\nb\",,\n" + // but not in a tag
		"G,G,room,," + tags + ",,\n" // "t" repeated counts once: 3 tags
	_, errs, err := Read(CSV, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2:name", "3:description", "4:tags", "5:location", "8:tags"}
	if got := where(errs); !slices.Equal(got, want) {
		t.Errorf("problems at %v, want %v\n%v", got, want, errs)
	}
}

func TestHeaderProblems(t *testing.T) {
	// Missing required columns are reported once; no row is returned,
	// but the rows' other problems still are.
	rows, errs, err := Read(CSV, []byte("Externe ID;Beschreibung;Gruppe\nA;x;vielleicht\nB;y;\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := where(errs), []string{"0:name", "0:type", "2:group"}; !slices.Equal(got, want) {
		t.Errorf("problems at %v, want %v\n%v", got, want, errs)
	}
	if rows != nil {
		t.Errorf("rows %+v of a file without name and type", rows)
	}
	// A column given twice (here once in English, once in German) makes
	// the file unreadable.
	_, _, err = Read(CSV, []byte("external_id,name,type,Typ\nA,B,room,room\n"))
	if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "type appears twice, in columns C and D") {
		t.Errorf("duplicate column: %v", err)
	}
	if domain.GermanMessage(err) == "" {
		t.Error("no German message")
	}
}

func TestJSONSchemaProblems(t *testing.T) {
	in := `{"objects": [
		{"external_id": "A", "name": "Gut", "type": "room"},
		{"external_id": "B", "name": "B", "type": "IT-System", "members": 0},
		{"external_id": "C", "name": "", "type": "room", "tags": ["a;b"], "group": "ja", "extra": 1},
		{"external_id": "A", "name": "Doppelt", "type": "room", "need_c": "hoch"},
		"kein Objekt",
		{"external_id": "F", "name": "Gruppe", "type": "device", "group": true, "depends_on": ["F"]}
	], "version": 1}`
	rows, errs, err := Read(JSON, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0:version", "2:type", "2:members", "3:name", "3:tags", "3:group", "3:extra",
		"4:external_id", "4:need_c", "5:", "6:members", "6:depends_on"}
	if got := where(errs); !slices.Equal(got, want) {
		t.Errorf("problems at %v\nwant %v\n%v", got, want, errs)
	}
	for _, e := range errs {
		if e.German == "" || strings.HasPrefix(e.German, "entspricht nicht") {
			t.Errorf("no German translation: %+v", e)
		}
	}
	if len(rows) != 1 || rows[0].ExternalID != "A" || rows[0].Line != 1 {
		t.Errorf("rows %+v", rows)
	}
}

func TestUnreadable(t *testing.T) {
	valid := write(t, XLSX, sampleRows())
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7919 + i>>3)
	}
	cases := []struct {
		name string
		f    Format
		data []byte
		want string
	}{
		{"binary as CSV", CSV, garbage, "binary"},
		{"Windows-1252 CSV", CSV, []byte("external_id;name;type\nA;B\xfcro;room\n"), "line 2 is not UTF-8"},
		{"UTF-16 CSV", CSV, []byte("\xff\xfee\x00x\x00"), "UTF-16"},
		{"empty CSV", CSV, []byte("\ufeff\r\n\r\n"), "empty"},
		{"bad quote", CSV, []byte("external_id,name,type\nA,\"B,room\n"), "line 2"},
		{"truncated XLSX", XLSX, valid[:len(valid)/2], "not a zip archive, or a truncated one"},
		{"CSV as XLSX", XLSX, []byte("external_id,name,type\n"), "not a zip"},
		{"legacy XLS", XLSX, append(append([]byte{}, oleMagic...), garbage...), ".xls"},
		{"JSON syntax", JSON, []byte("{\"objects\": [\n  {\"external_id\": \"A\",}\n]}"), "line 2"},
		{"JSON truncated", JSON, []byte(`{"objects": [`), "ends early"},
		{"JSON twice", JSON, []byte(`{"objects": []} {}`), "more than one"},
		{"unknown format", Format("ods"), nil, "unknown file format"},
	}
	for _, c := range cases {
		rows, errs, err := Read(c.f, c.data)
		if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrInvalid with %q", c.name, err, c.want)
		}
		if rows != nil || errs != nil {
			t.Errorf("%s: rows or problems beside the error", c.name)
		}
		if err != nil && domain.GermanMessage(err) == "" {
			t.Errorf("%s: no German message", c.name)
		}
	}
}

// A corrupted part is refused rather than read truncated, and a part
// that claims more than the limit is refused without unpacking it.
func TestXLSXArchiveChecks(t *testing.T) {
	valid := write(t, XLSX, sampleRows())
	if err := checkArchive(bytes.NewReader(valid), maxUnpacked); err != nil {
		t.Fatal(err)
	}
	if err := checkArchive(bytes.NewReader(valid), 1000); err == nil || !strings.Contains(err.Error(), "unpacks to more than") {
		t.Errorf("limit: %v", err)
	}
	i := bytes.Index(valid, []byte("xl/worksheets/sheet1.xml"))
	if i < 0 {
		t.Fatal("no sheet1 entry")
	}
	broken := bytes.Clone(valid)
	for j := i + 40; j < i+60; j++ { // inside the compressed data of the sheet
		broken[j] ^= 0x5a
	}
	if _, _, err := Read(XLSX, broken); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("corrupted sheet: %v", err)
	}
}

func TestMaxRows(t *testing.T) {
	var csv bytes.Buffer
	csv.WriteString("external_id,name,type\n")
	for i := range MaxRows + 1 {
		csv.WriteString("X")
		csv.WriteString(strings.Repeat("1", i%3))
		csv.WriteString(",N,room\n")
	}
	json := []byte(`{"objects": [` + strings.Repeat(`{},`, MaxRows) + `{}]}`)
	for f, data := range map[Format][]byte{CSV: csv.Bytes(), JSON: json} {
		if _, _, err := Read(f, data); !errors.Is(err, domain.ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", f, err)
		}
	}
}

// TestMaxRowsXLSX: the same for a workbook, which takes seconds to write.
func TestMaxRowsXLSX(t *testing.T) {
	scaletest.Require(t, "a workbook of 100,001 rows")
	rows := make([]Row, MaxRows+1)
	for i := range rows {
		rows[i] = Row{ObjectFields: domain.ObjectFields{ExternalID: "X", Name: "N"}, Type: domain.ObjectRoom}
	}
	if _, _, err := Read(XLSX, write(t, XLSX, rows)); !errors.Is(err, domain.ErrTooLarge) {
		t.Errorf("xlsx: %v, want ErrTooLarge", err)
	}
}

func TestTemplate(t *testing.T) {
	for _, f := range Formats {
		data, err := Template(f)
		if err != nil {
			t.Fatal(err)
		}
		rows := readOK(t, f, data)
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows", f, len(rows))
		}
		for _, r := range rows {
			if !strings.Contains(r.Name, "Beispiel") || !strings.Contains(r.Description, "Beispiel") {
				t.Errorf("%s: row not marked as example: %+v", f, r)
			}
		}
		if got, err := DetectFormat("vorlage", data); err != nil || got != f {
			t.Errorf("DetectFormat of the %s template: %s, %v", f, got, err)
		}
	}
}

func TestFormats(t *testing.T) {
	for in, want := range map[string]Format{"csv": CSV, " XLSX": XLSX, ".json": JSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %s, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xls"); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("ParseFormat(xls): %v", err)
	}
	cases := []struct {
		name, head string
		want       Format
	}{
		{"export.csv", "PK\x03\x04rest", XLSX},             // content wins
		{"export.xlsx", "\ufeff  {\"objects\": []}", JSON}, // content wins
		{"objekte.txt", "[1]", JSON},
		{"objekte.csv", "external_id;name", CSV},
		{"objekte", "external_id;name", CSV},
		{"OBJEKTE.JSON", "external_id;name", JSON}, // the name decides for text that is neither
		{`C:\Daten\objekte.xlsx`, "external_id;name", XLSX},
		{"leer.csv", "", CSV},
	}
	for _, c := range cases {
		if got, err := DetectFormat(c.name, []byte(c.head)); err != nil || got != c.want {
			t.Errorf("DetectFormat(%q, %q) = %s, %v; want %s", c.name, c.head, got, err, c.want)
		}
	}
	if _, err := DetectFormat("alt.xls", append(append([]byte{}, oleMagic...), 0, 0)); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("legacy xls: %v", err)
	}
}

func TestRowErrorString(t *testing.T) {
	for e, want := range map[RowError]string{
		{Line: 4, Column: "type", Detail: "bad"}: "line 4, column type: bad",
		{Column: "x", Detail: "unknown"}:         "column x: unknown",
		{Line: 3, Detail: "stray"}:               "line 3: stray",
	} {
		if got := e.Error(); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
