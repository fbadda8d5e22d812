package webui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// deptRow is a department in the tree with its indentation.
type deptRow struct {
	domain.Department
	Level      int // indentation step, capped
	ParentName string
}

type departmentsPage struct {
	Departments []deptRow
	Parents     []deptOption // for the create form
	CanWrite    bool

	// The department being edited (?edit=ID), with the parents it may
	// move below (not itself or anything below it).
	Edit        *domain.Department
	EditInput   domain.DepartmentInput
	EditParent  int64
	EditParents []deptOption

	Input      domain.DepartmentInput // the create form after a refusal
	NewParent  int64
	formsState // forms: create, edit
}

func (u *UI) departmentsData(c *gin.Context, editID int64) (departmentsPage, error) {
	ds, err := u.DB.ListDepartments(c.Request.Context())
	if err != nil {
		return departmentsPage{}, err
	}
	d := departmentsPage{CanWrite: u.allowed(c, authz.ResourceDepartments, authz.ActionWrite), Parents: deptOptions(ds)}
	names := map[int64]string{}
	for _, x := range ds {
		names[x.ID] = x.Name
	}
	for _, x := range ds {
		r := deptRow{Department: x, Level: min(x.Depth, 8)}
		if x.ParentID != nil {
			r.ParentName = names[*x.ParentID]
		}
		d.Departments = append(d.Departments, r)
	}
	if editID != 0 && d.CanWrite {
		for i, x := range ds {
			if x.ID != editID {
				continue
			}
			e := x
			d.Edit = &e
			d.EditInput = x.Input()
			if x.ParentID != nil {
				d.EditParent = *x.ParentID
			}
			// Everything after it with a greater depth is below it.
			below := map[int64]bool{x.ID: true}
			for _, y := range ds[i+1:] {
				if y.Depth <= x.Depth {
					break
				}
				below[y.ID] = true
			}
			var parents []domain.Department
			for _, y := range ds {
				if !below[y.ID] {
					parents = append(parents, y)
				}
			}
			d.EditParents = deptOptions(parents)
		}
		if d.Edit == nil {
			return d, errDeptNotFound
		}
	}
	return d, nil
}

func (u *UI) departmentsPage(c *gin.Context) error {
	var edit int64
	if v := c.Query("edit"); v != "" {
		edit, _ = strconv.ParseInt(v, 10, 64)
		if edit <= 0 {
			return errDeptNotFound
		}
	}
	d, err := u.departmentsData(c, edit)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "departments", "Organisationseinheiten", d)
}

// departmentInput reads the fields of the create and edit forms.
func departmentInput(c *gin.Context) (domain.DepartmentInput, error) {
	in := domain.DepartmentInput{Name: c.PostForm("name"), Code: c.PostForm("code"), ParentID: formOptionalID(c, "parent_id")}
	if vs := in.Validate(); len(vs) > 0 {
		return in, domain.Invalid(vs...)
	}
	return in, nil
}

// departmentFormFailed shows the tree again with the refusal.
func (u *UI) departmentFormFailed(c *gin.Context, err error, form string, editID int64, in domain.DepartmentInput) error {
	if !isInputError(err) {
		return err
	}
	d, derr := u.departmentsData(c, editID)
	if derr != nil {
		return derr
	}
	d.refuse(form, err)
	var parent int64
	if in.ParentID != nil {
		parent = *in.ParentID
	}
	if form == "create" {
		d.Input, d.NewParent = in, parent
	} else if d.Edit != nil {
		d.EditInput, d.EditParent = in, parent
	}
	return u.render(c, statusOf(err), "departments", "Organisationseinheiten", d)
}

func (u *UI) createDepartment(c *gin.Context) error {
	in, err := departmentInput(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.CreateDepartment(c.Request.Context(), in)
			return err
		})
	}
	if err != nil {
		return u.departmentFormFailed(c, err, "create", 0, in)
	}
	return u.redirect(c, "/departments", "Die Organisationseinheit „"+in.Name+"“ ist angelegt.")
}

func (u *UI) updateDepartment(c *gin.Context) error {
	id, err := pathID(c, "id", errDeptNotFound)
	if err != nil {
		return err
	}
	if _, err := u.DB.DepartmentByID(c.Request.Context(), id); err != nil {
		return err
	}
	in, err := departmentInput(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.UpdateDepartment(c.Request.Context(), id, formVersion(c),
				domain.DepartmentChange{Name: &in.Name, Code: &in.Code, ParentID: &in.ParentID})
			return err
		})
	}
	if err != nil {
		return u.departmentFormFailed(c, err, "edit", id, in)
	}
	return u.redirect(c, "/departments", "Die Organisationseinheit „"+in.Name+"“ ist gespeichert.")
}

func (u *UI) deleteDepartment(c *gin.Context) error {
	id, err := pathID(c, "id", errDeptNotFound)
	if err != nil {
		return err
	}
	dept, err := u.DB.DepartmentByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error { return tx.DeleteDepartment(c.Request.Context(), id) }); err != nil {
		return u.departmentFormFailed(c, err, "edit", id, dept.Input())
	}
	return u.redirect(c, "/departments", "Die Organisationseinheit „"+dept.Name+"“ ist gelöscht.")
}
