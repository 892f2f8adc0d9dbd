package scim

import (
	"net/http"
	"strings"
)

// The discovery endpoints (RFC 7644 §4) say what this service supports:
// PATCH and filters; no bulk, sorting, ETags or password changes.

func (s *Service) serviceProviderConfig(w http.ResponseWriter, r *http.Request) error {
	supported := func(b bool) map[string]any { return map[string]any{"supported": b} }
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":        []string{spConfigSchema},
		"patch":          supported(true),
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": maxPageCount},
		"changePassword": supported(false),
		"sort":           supported(false),
		"etag":           supported(false),
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "A SCIM token an administrator created with q admin scim token create",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": baseURL(r) + "/ServiceProviderConfig"},
	})
	return nil
}

// resourceTypeList is the resource types, keyed by id.
func resourceTypeList(base string) []map[string]any {
	rt := func(id, endpoint, schema, desc string) map[string]any {
		return map[string]any{
			"schemas": []string{resTypeSchema}, "id": id, "name": id, "endpoint": endpoint,
			"description": desc, "schema": schema,
			"meta": map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/" + id},
		}
	}
	return []map[string]any{
		rt("User", "/Users", userSchema, "A member of the organisation"),
		rt("Group", "/Groups", groupSchema, "A group of the organisation's users"),
	}
}

func (s *Service) resourceTypes(w http.ResponseWriter, r *http.Request) error {
	list := resourceTypeList(baseURL(r))
	return writePage(w, listQuery{startIndex: 1}, list, len(list), func(x map[string]any) any { return x })
}

func (s *Service) resourceType(w http.ResponseWriter, r *http.Request) error {
	for _, x := range resourceTypeList(baseURL(r)) {
		if x["id"] == r.PathValue("name") {
			writeJSON(w, http.StatusOK, x)
			return nil
		}
	}
	return &scimError{status: http.StatusNotFound, detail: "no such resource type"}
}

// attribute describes one attribute in a schema.
func attribute(name, typ string, opts ...string) map[string]any {
	a := map[string]any{
		"name": name, "type": typ, "multiValued": false, "required": false, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none",
	}
	for _, o := range opts {
		switch o {
		case "multi":
			a["multiValued"] = true
		case "required":
			a["required"] = true
		case "exact":
			a["caseExact"] = true
		case "readOnly", "immutable":
			a["mutability"] = o
		case "unique":
			a["uniqueness"] = "server"
		}
	}
	return a
}

func complexAttr(name string, subs []map[string]any, opts ...string) map[string]any {
	a := attribute(name, "complex", opts...)
	a["subAttributes"] = subs
	return a
}

func schemaList(base string) []map[string]any {
	schema := func(id, name string, attrs ...map[string]any) map[string]any {
		return map[string]any{
			"schemas": []string{schemaSchema}, "id": id, "name": name, "attributes": attrs,
			"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + id},
		}
	}
	return []map[string]any{
		schema(userSchema, "User",
			attribute("userName", "string", "required", "unique"),
			attribute("externalId", "string", "exact"),
			complexAttr("name", []map[string]any{
				attribute("formatted", "string"), attribute("givenName", "string"), attribute("familyName", "string")}),
			attribute("displayName", "string"),
			complexAttr("emails", []map[string]any{
				attribute("value", "string"), attribute("type", "string"), attribute("primary", "boolean")}, "multi"),
			attribute("active", "boolean"),
			complexAttr("groups", []map[string]any{
				attribute("value", "string", "readOnly", "exact"), attribute("display", "string", "readOnly"),
				attribute("$ref", "reference", "readOnly", "exact")}, "multi", "readOnly"),
		),
		schema(groupSchema, "Group",
			attribute("displayName", "string", "required"),
			attribute("externalId", "string", "exact"),
			complexAttr("members", []map[string]any{
				attribute("value", "string", "immutable", "exact"), attribute("display", "string", "readOnly"),
				attribute("$ref", "reference", "immutable", "exact"), attribute("type", "string", "immutable")}, "multi"),
		),
	}
}

func (s *Service) schemas(w http.ResponseWriter, r *http.Request) error {
	list := schemaList(baseURL(r))
	return writePage(w, listQuery{startIndex: 1}, list, len(list), func(x map[string]any) any { return x })
}

func (s *Service) schema(w http.ResponseWriter, r *http.Request) error {
	for _, x := range schemaList(baseURL(r)) {
		if strings.EqualFold(x["id"].(string), r.PathValue("uri")) {
			writeJSON(w, http.StatusOK, x)
			return nil
		}
	}
	return &scimError{status: http.StatusNotFound, detail: "no such schema"}
}
