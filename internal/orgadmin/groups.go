package orgadmin

import (
	"context"

	"github.com/qdev/qdev/internal/serverstore"
)

// CreateGroup adds an empty group.
func (s *Service) CreateGroup(ctx context.Context, name string) (serverstore.Group, error) {
	if err := CheckName("name", name); err != nil {
		return serverstore.Group{}, err
	}
	return s.store.CreateGroup(ctx, name)
}

// DeleteGroup deletes the group and its subscription; its members stay.
func (s *Service) DeleteGroup(ctx context.Context, name string) error {
	return s.store.DeleteGroup(ctx, name)
}

// AddMembers puts the users with emails in the group: all or none.
func (s *Service) AddMembers(ctx context.Context, group string, emails []string) error {
	return s.changeMembers(ctx, group, emails, s.store.AddMembers)
}

// RemoveMembers takes the users with emails out of the group: all or none.
func (s *Service) RemoveMembers(ctx context.Context, group string, emails []string) error {
	return s.changeMembers(ctx, group, emails, s.store.RemoveMembers)
}

func (s *Service) changeMembers(ctx context.Context, group string, emails []string,
	change func(ctx context.Context, group string, emails []string) error) error {
	if len(emails) == 0 {
		return Invalid("emails", "at least one email is required")
	}
	norm := make([]string, len(emails))
	for i, e := range emails {
		var err error
		if norm[i], err = CheckEmail("emails", e); err != nil {
			return err
		}
	}
	return change(ctx, group, norm)
}
