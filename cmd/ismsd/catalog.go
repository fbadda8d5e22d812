package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"ismsd/internal/catalog"
	"ismsd/internal/catalogimport"
	"ismsd/internal/config"
)

const catalogUsage = `catalog <subcommand> [flags]

Subcommands:
  import FILE [--kind KIND]   import a Kompendium XML, its KRT workbook (.xlsx),
                              an OSCAL catalog, profile, component
                              definition or mapping collection (JSON)
  list                        list the imported catalogs
  fetch [--url U --sha256 H]  download the Kompendium XML from its official
                              address, check its SHA-256, and import it

KIND is one of kompendium-xml, krt-xlsx, oscal-catalog, oscal-profile,
oscal-component-definition, oscal-mapping-collection; without --kind it is
recognised from the file. Importing a file again changes nothing.`

func runCatalog(ctx context.Context, args []string, out io.Writer) error {
	sub, err := subcommandOf(args, "Usage: ismsd "+catalogUsage, out)
	if err != nil {
		return err
	}
	fs := newFlagSet("catalog "+sub, catalogUsage, out)
	kind := fs.String("kind", "", "kind of the file (import): kompendium-xml, krt-xlsx, oscal-catalog, oscal-profile, oscal-component-definition or oscal-mapping-collection")
	positional, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"import": 1, "list": 0, "fetch": 0}
	n, ok := want[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown subcommand %q", sub)}
	}
	if len(positional) != n {
		return usageError{fmt.Sprintf("%s takes %d argument(s), got %d", sub, n, len(positional))}
	}
	var k catalog.Kind
	if *kind != "" {
		if sub != "import" {
			return usageError{"--kind applies to import only"}
		}
		var err error
		if k, err = catalog.ParseKind(*kind); err != nil {
			return usageError{err.Error()}
		}
	}
	if sub == "import" {
		// Check the file before starting anything.
		if _, err := os.Stat(positional[0]); err != nil {
			return err
		}
	}
	e, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer e.close()
	cfg, log := e.cfg, e.log
	im := catalogimport.New(e.db, cfg.CatalogMaxBytes)
	switch sub {
	case "list":
		return listCatalogs(ctx, e, out)
	case "fetch":
		return fetchKompendium(ctx, cfg, log, im, out)
	}
	f, err := os.Open(positional[0])
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return importFile(ctx, im, log, out, catalogimport.Request{Name: fi.Name(), Body: f, Kind: k}, fi.Size())
}

// importFile runs one import with progress on a terminal (a bar) or in
// the log (plain lines), then prints the summary.
func importFile(ctx context.Context, im *catalogimport.Importer, log *slog.Logger, out io.Writer, req catalogimport.Request, size int64) error {
	var bar *progressbar.ProgressBar
	if isTerminal(os.Stderr) && size > 0 {
		bar = progressbar.NewOptions64(size, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("Lesen   "), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(50*time.Millisecond))
	}
	req.Progress = func(phase catalogimport.Phase, done int64) {
		if bar != nil {
			switch phase {
			case catalogimport.PhaseRead:
				bar.Set64(done)
			case catalogimport.PhaseParse:
				bar.Describe("Prüfen  ")
			case catalogimport.PhaseStore:
				bar.Describe("Speichern")
			}
			return
		}
		if phase != catalogimport.PhaseRead {
			log.Info("catalog import", "phase", string(phase), "file", req.Name)
		}
	}
	started := time.Now()
	res, err := im.Import(ctx, cliActor(), req)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return describe(err)
	}
	printImport(out, res, time.Since(started))
	return nil
}

func printImport(out io.Writer, res catalogimport.Result, took time.Duration) {
	c, d := res.Catalog, res.Definition
	switch {
	case res.Kind == catalog.KindOSCALComponents:
		if res.Unchanged {
			fmt.Fprintf(out, "unchanged: this file was imported before (component definition %d: %s)\n", d.ID, d.Title)
		} else {
			fmt.Fprintf(out, "imported component definition %d: %s %s (%s)\n", d.ID, d.Title, d.Version, d.Name)
		}
		fmt.Fprintf(out, "  %d components, %d implemented requirements, %d resolved in the imported Grundschutz++ catalogs\n",
			d.Components, d.Implemented, d.Resolved)
		if len(res.Unresolved) > 0 {
			fmt.Fprintf(out, "  unresolved: %s\n", strings.Join(res.Unresolved, ", "))
		}
	case res.Kind == catalog.KindOSCALMappings:
		k := res.Collection
		if res.Unchanged {
			fmt.Fprintf(out, "unchanged: this file was imported before (mapping collection %d: %s)\n", k.ID, k.Title)
		} else {
			fmt.Fprintf(out, "imported mapping collection %d: %s %s\n", k.ID, k.Title, k.Version)
		}
		for _, m := range res.Mappings {
			fmt.Fprintf(out, "  %s: %d maps over %d sources of %d requirements (%d resolve), %d targets (%d resolve)\n",
				m.Name(), m.Maps, m.SourceRefs, m.SourceRequirements, m.SourcesResolved, m.Targets, m.TargetsResolved)
			if len(m.UnresolvedSources) > 0 {
				fmt.Fprintf(out, "    unresolved sources: %s\n", strings.Join(m.UnresolvedSources, ", "))
			}
			if len(m.UnresolvedTargets) > 0 {
				fmt.Fprintf(out, "    unresolved targets: %s\n", strings.Join(m.UnresolvedTargets, ", "))
			}
		}
	case res.Unchanged:
		fmt.Fprintf(out, "unchanged: this file was imported before (catalog %d: %s %s)\n", c.ID, c.Title, c.Version)
	case res.Kind == catalog.KindKRT:
		fmt.Fprintf(out, "attached cross-reference tables to catalog %d: %s %s\n", c.ID, c.Title, c.Version)
		fmt.Fprintf(out, "  %d requirement-threat links, %d C/I/A marks\n", res.ThreatLinks, res.Marks)
	default:
		fmt.Fprintf(out, "imported catalog %d: %s %s (%s)\n", c.ID, c.Title, c.Version, res.Kind)
		fmt.Fprintf(out, "  %d modules, %d requirements (%d withdrawn), %d threats, %d modelling hints\n",
			res.Modules, res.Requirements, res.Withdrawn, res.Threats, res.ModellingHints)
	}
	fmt.Fprintf(out, "  sha256 %s, %s\n", res.SHA256, took.Round(time.Millisecond))
}

func listCatalogs(ctx context.Context, e *env, out io.Writer) error {
	cs, err := e.db.ListCatalogs(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tTITLE\tVERSION\tMODULES\tREQUIREMENTS\tWITHDRAWN\tTHREATS\tKRT\tIMPORTED")
	for _, c := range cs {
		krt := "-"
		if c.CrossReferenced {
			krt = fmt.Sprintf("%d links", c.ThreatLinks)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", c.ID, c.Kind, c.Title, c.Version, c.Modules,
			c.Requirements, c.Withdrawn, c.Threats, krt, c.ImportedAt.Format("2006-01-02 15:04"))
	}
	return w.Flush()
}

// fetchKompendium downloads the Kompendium XML, refuses it unless its
// SHA-256 is the configured one, and imports it.
func fetchKompendium(ctx context.Context, cfg config.Config, log *slog.Logger, im *catalogimport.Importer, out io.Writer) error {
	log.Info("downloading the Kompendium", "url", cfg.KompendiumURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.KompendiumURL, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: %s", cfg.KompendiumURL, res.Status)
	}
	var buf bytes.Buffer
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(&buf, h), catalog.LimitReader(res.Body, cfg.CatalogMaxBytes)); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != cfg.KompendiumSHA256 {
		return fmt.Errorf("the download has SHA-256 %s, but ISMS_KOMPENDIUM_SHA256 expects %s; nothing was imported", got, cfg.KompendiumSHA256)
	}
	name := "Kompendium.xml"
	if u, err := url.Parse(cfg.KompendiumURL); err == nil && path.Base(u.Path) != "." && path.Base(u.Path) != "/" {
		name = path.Base(u.Path)
	}
	return importFile(ctx, im, log, out, catalogimport.Request{Name: name, Body: &buf, Kind: catalog.KindKompendiumXML}, int64(buf.Len()))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
