package transfer

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
)

// SendEvidence streams the file of version :number of evidence item :id
// as an attachment that no browser renders from our origin; the API and
// the web UI both serve downloads through it. A version whose hash is not
// the one its upload recorded in the audit trail is refused before
// anything is sent, and so is one whose first chunk fails its check;
// tampering found later cuts the connection: the client never gets a
// complete file that fails its hash. Either way it is logged and
// recorded. With recordRead, the read is recorded in the audit trail once
// the first chunk has passed its check and before anything is sent.
func SendEvidence(c *gin.Context, db *postgres.DB, recordRead bool) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	number, nerr := strconv.Atoi(c.Param("number"))
	if err != nil || nerr != nil || id <= 0 || number <= 0 {
		return domain.Errorf(domain.ErrNotFound, "no such version").De("Diese Version des Nachweises gibt es nicht.")
	}
	ctx := c.Request.Context()
	v, r, err := db.OpenEvidence(ctx, id, number, route.Visibility(c))
	if err != nil {
		return tampered(c, db, v, err)
	}
	defer r.Close()
	first := make([]byte, 32<<10)
	n, err := io.ReadFull(r, first)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return tampered(c, db, v, err)
	}
	if recordRead {
		if err := db.RecordEvidenceRead(ctx, route.Actor(c), v); err != nil {
			return err
		}
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(v)}))
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	if sum, err := hex.DecodeString(v.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":") // RFC 9530
	}
	c.Status(http.StatusOK)
	if _, err := c.Writer.Write(first[:n]); err != nil {
		return nil // the client went away
	}
	if _, err := io.Copy(c.Writer, r); err != nil {
		if errors.Is(err, domain.ErrIntegrity) {
			_ = tampered(c, db, v, err)
		}
		// Cut the connection: with Content-Length set, the client sees an
		// incomplete download, never a complete wrong one.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// tampered logs and records content that failed its check and returns
// the error the client gets.
func tampered(c *gin.Context, db *postgres.DB, v domain.EvidenceVersion, err error) error {
	if !errors.Is(err, domain.ErrIntegrity) {
		return err
	}
	problem.Logger(c).Error("evidence content failed its integrity check", "evidence", v.EvidenceID, "version", v.Number, "error", err)
	if rerr := db.RecordTampering(c.Request.Context(), route.Actor(c), v, err); rerr != nil {
		problem.Logger(c).Error("record evidence integrity failure", "error", rerr)
	}
	return err
}

// downloadName is the file name offered for a download.
func downloadName(v domain.EvidenceVersion) string {
	if name := strings.TrimSpace(v.FileName); name != "" {
		return name
	}
	return fmt.Sprintf("nachweis-%d-v%d", v.EvidenceID, v.Number)
}
