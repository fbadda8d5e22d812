// Package policies holds the casbin model and the role → permission rules.
package policies

import _ "embed"

// Model is the casbin model: RBAC with domains, where a domain is "*"
// (global) or one department subtree.
//
//go:embed model.conf
var Model string

// Policy lists which role may do which action on which resource.
//
//go:embed policy.csv
var Policy string
