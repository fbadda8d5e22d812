package krt

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"testing"

	"ismsd/internal/catalog/catalogtest"
)

// rewriteZip copies a zip archive entry by entry, letting replace write
// the entries it wants to change; the others are copied raw.
func rewriteZip(t testing.TB, src []byte, replace func(zw *zip.Writer, f *zip.File) bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if replace(zw, f) {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// corruptEntry flips bytes in the middle of one entry's compressed data.
func corruptEntry(t testing.TB, src []byte, name string) []byte {
	t.Helper()
	return rewriteZip(t, src, func(zw *zip.Writer, f *zip.File) bool {
		if f.Name != name {
			return false
		}
		rc, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.Clone(raw)
		for i := len(raw) / 3; i < len(raw)/3+8 && i < len(raw); i++ {
			raw[i] ^= 0x5a
		}
		fh := f.FileHeader
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(raw); err != nil {
			t.Fatal(err)
		}
		return true
	})
}

// padSheet returns the workbook with n blanks inserted into the XML of its
// first worksheet, written in chunks so that the test never holds them.
func padSheet(t testing.TB, src []byte, n int64) []byte {
	t.Helper()
	return rewriteZip(t, src, func(zw *zip.Writer, f *zip.File) bool {
		if f.Name != "xl/worksheets/sheet1.xml" {
			return false
		}
		xml := readEntry(t, f)
		end := strings.LastIndex(xml, "</worksheet>")
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, xml[:end])
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for left := n; left > 0; left -= int64(len(chunk)) {
			w.Write(chunk[:min(left, int64(len(chunk)))])
		}
		io.WriteString(w, xml[end:])
		return true
	})
}

func readEntry(t testing.TB, f *zip.File) string {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantRefused(t *testing.T, err error, reasonHas string) {
	t.Helper()
	ce := catalogtest.AsError(t, err)
	if !strings.Contains(ce.Reason, reasonHas) {
		t.Errorf("error %q, want it to contain %q", err, reasonHas)
	}
}

// A workbook whose sheet honestly unpacks to more than MaxUnpackedSize is
// refused from its headers, before anything is unpacked.
func TestZipBombHonest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 65 MB sheet")
	}
	bomb := padSheet(t, buildWorkbook(t, tinySheet()), MaxUnpackedSize+1)
	t.Logf("bomb: %d bytes packed", len(bomb))
	_, err := ParseBytes(bomb)
	wantRefused(t, err, fmt.Sprintf("unpacks to more than the limit of %d bytes", MaxUnpackedSize))
}

// The same with small limits, as parse applies them.
func TestZipBombSmallLimits(t *testing.T) {
	bomb := padSheet(t, buildWorkbook(t, tinySheet()), 2<<20)
	_, err := parse(bytes.NewReader(bomb), int64(len(bomb)), limits{unpacked: 1 << 20, part: 64 << 10})
	wantRefused(t, err, "unpacks to more than the limit of 1048576 bytes")
}

// A bomb that declares a small size in its headers but inflates to much
// more is caught while unpacking.
func TestZipBombLyingHeader(t *testing.T) {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte("<x/>"), 8<<20))
	fw.Close()
	bomb := rewriteZip(t, buildWorkbook(t, tinySheet()), func(zw *zip.Writer, f *zip.File) bool {
		if f.Name != "xl/worksheets/sheet1.xml" {
			return false
		}
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name:               f.Name,
			Method:             zip.Deflate,
			CompressedSize64:   uint64(comp.Len()),
			UncompressedSize64: 1000,
		})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
		return true
	})
	_, err := ParseBytes(bomb)
	wantRefused(t, err, "damaged workbook, part xl/worksheets/sheet1.xml: it unpacks to other than its declared size")
}

// A worksheet larger than the in-memory part limit is spilled to a
// temporary file by excelize and streamed from there.
func TestLargeSheetStreamed(t *testing.T) {
	s := sheet{name: "KRT_TST.1.xlsx", rows: [][]any{{"TST.1", "Name", "CIA", "G 0.1", "G 0.2"}}}
	for i := 1; i <= 3000; i++ {
		s.rows = append(s.rows, []any{fmt.Sprintf("TST.1.A%d", i), "Anforderung", "CIA", "X", "X"})
	}
	b := buildWorkbook(t, s)
	x, err := parse(bytes.NewReader(b), int64(len(b)), limits{unpacked: 4 << 20, part: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Requirements) != 3000 || len(x.Links) != 6000 || len(x.Marks) != 3000 {
		t.Errorf("got %d requirements, %d links, %d marks; want 3000, 6000, 3000",
			len(x.Requirements), len(x.Links), len(x.Marks))
	}
}

func BenchmarkParse(b *testing.B) {
	data := catalogtest.Read(b, realWorkbook)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBytes(data); err != nil {
			b.Fatal(err)
		}
	}
}
