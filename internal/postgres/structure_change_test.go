package postgres_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestUpdatesApplyTheirChangeToTheStoredRecord: an update names what it
// changes; the store applies it to the record it has locked, validates the
// result and leaves everything else as it is.
func TestUpdatesApplyTheirChangeToTheStoredRecord(t *testing.T) {
	s := newStructure(t)
	var before domain.Object
	var none *int64
	err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		before, err = tx.UpdateObject(ctx, s.sv, 0, domain.ObjectChange{Responsible: ptr(" Referat 12 "), Tags: ptr([]string{"linux", " "})},
			postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if before.Responsible != "Referat 12" || !slices.Equal(before.Tags, []string{"linux"}) || before.Name != "Managementserver" ||
		before.DepartmentID == nil || *before.DepartmentID != s.tlrz {
		t.Fatalf("after the first change: %+v", before)
	}
	var after domain.Object
	err = s.change(t, func(tx *postgres.Tx) error {
		var err error
		after, err = tx.UpdateObject(ctx, s.sv, before.Version, domain.ObjectChange{Location: ptr("Erfurt"), DepartmentID: &none},
			postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := before.ObjectInput
	want.Location, want.DepartmentID = "Erfurt", nil
	if got := after.Input(); !reflect.DeepEqual(got, want) || after.Version != before.Version+1 {
		t.Errorf("changed\n got %+v (version %d)\nwant %+v (version %d)", got, after.Version, want, before.Version+1)
	}

	// A change at an old version, and one that breaks a rule, change nothing.
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateObject(ctx, s.sv, before.Version, domain.ObjectChange{Name: ptr("Veraltet")}, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("an old version: %v", err)
	}
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateObject(ctx, s.sv, after.Version, domain.ObjectChange{Name: ptr(" "), Members: ptr(3)}, postgres.Everything)
		return err
	})
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Violations) != 2 || de.Violations[0].Pointer != "/name" || de.Violations[1].Pointer != "/members" {
		t.Errorf("a change that breaks rules: %v", err)
	}
	if o, _ := s.db.ObjectByID(ctx, s.sv, postgres.Everything); o.Version != after.Version || o.Name != "Managementserver" {
		t.Errorf("a refused change changed %+v", o)
	}

	// Departments and scopes work the same way.
	err = s.change(t, func(tx *postgres.Tx) error {
		d, err := tx.UpdateDepartment(ctx, s.tlrz, 1, domain.DepartmentChange{Code: ptr(""), ParentID: &none})
		if err == nil && (d.Name != "Landesrechenzentrum" || d.Code != "" || d.ParentID != nil) {
			t.Errorf("department %+v", d)
		}
		if err != nil {
			return err
		}
		sc, err := tx.UpdateScope(ctx, s.scope.ID, s.scope.Version, domain.ScopeChange{Description: ptr(" Das Landesnetz ")})
		if err == nil && (sc.Name != "Landesdatennetz" || sc.Description != "Das Landesnetz" || sc.Approach != domain.ApproachStandard) {
			t.Errorf("scope %+v", sc)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }
