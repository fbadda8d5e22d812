package krt

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"

	"ismsd/internal/catalog"
)

// checkArchive vets the zip container before excelize opens it.
//
// Excelize bounds the unpacked size only by the sizes the zip entries
// declare, and it ignores read errors while unpacking, so a damaged part
// would come out silently truncated. Here the declared sizes are bounded
// first, which refuses an honest bomb without unpacking anything; then
// every entry is unpacked once to nowhere: archive/zip verifies each
// entry's CRC and fails an entry that unpacks to more than it declares,
// which refuses a bomb that lies in its headers. For a workbook of 1.6 MB
// unpacked this costs a few milliseconds.
func checkArchive(r io.ReaderAt, size int64, lim limits) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return catalog.Errorf("", "not an Excel workbook (.xlsx): not a zip archive, or a truncated one (%v)", err)
	}
	if len(zr.File) > maxEntries {
		return catalog.Errorf("", "refused: the workbook has %d parts, more than the limit of %d", len(zr.File), maxEntries)
	}
	if err := checkWorkbookParts(zr.File); err != nil {
		return err
	}
	var declared uint64
	for _, f := range zr.File {
		// Compared one by one first, so that the sum cannot overflow.
		if f.UncompressedSize64 > uint64(lim.unpacked) {
			return bombError(lim)
		}
		if declared += f.UncompressedSize64; declared > uint64(lim.unpacked) {
			return bombError(lim)
		}
	}
	for _, f := range zr.File {
		if err := drain(f); err != nil {
			return err
		}
	}
	return nil
}

// checkWorkbookParts tells a workbook from any other zip archive (a .docx,
// a .jar) by the parts every SpreadsheetML package has.
func checkWorkbookParts(files []*zip.File) error {
	var types, book bool
	for _, f := range files {
		switch strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/")) {
		case "[content_types].xml":
			types = true
		case "xl/workbook.xml":
			book = true
		}
	}
	if !types || !book {
		return catalog.Errorf("", "a zip archive, but not an Excel workbook (.xlsx): it lacks [Content_Types].xml or xl/workbook.xml")
	}
	return nil
}

// drain unpacks one entry to nowhere, for archive/zip's checks.
func drain(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return damaged(f.Name, err)
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return damaged(f.Name, err)
	}
	return nil
}

func damaged(name string, err error) error {
	reason := err.Error()
	if errors.Is(err, zip.ErrFormat) {
		// archive/zip says "not a valid zip file" also when an entry
		// unpacks to more than it declares, which is how a bomb hides.
		reason = "it unpacks to other than its declared size, or is corrupt"
	}
	return catalog.Errorf("", "refused: damaged workbook, part %s: %s", name, reason)
}

func bombError(lim limits) error {
	return &catalog.Error{Reason: fmt.Sprintf(
		"refused: the workbook unpacks to more than the limit of %d bytes (a zip bomb, or not the cross-reference tables)",
		lim.unpacked)}
}
