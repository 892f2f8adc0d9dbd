package orgadmin

import "github.com/qdev/qdev/internal/serverstore"

// Access says which roles may make a request. The REST API and the web
// console grant the same: administrators change, auditors read, and every
// user sees their own data.
type Access int

const (
	Anyone  Access = iota // any authenticated user, for their own data
	Readers               // administrators and auditors
	Admins                // administrators
)

// Allows reports whether a user of role r may make a request a admits.
func (a Access) Allows(r serverstore.Role) bool {
	switch a {
	case Anyone:
		return true
	case Readers:
		return r == serverstore.RoleAdmin || r == serverstore.RoleAuditor
	}
	return r == serverstore.RoleAdmin
}
