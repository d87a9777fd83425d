package hsds

// The API's lists carry the one-to-one fields of each object (the *_list schemas);
// the objects by id are fully nested.

// Flat returns the service's one-to-one fields, with its organization's.
func (s Service) Flat() Service {
	out := Service{ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, AlternateName: s.AlternateName,
		Description: s.Description, Email: s.Email, URL: s.URL, Status: s.Status,
		InterpretationServices: s.InterpretationServices, ApplicationProcess: s.ApplicationProcess,
		FeesDescription: s.FeesDescription, WaitTime: s.WaitTime, EligibilityDescription: s.EligibilityDescription,
		MinimumAge: s.MinimumAge, MaximumAge: s.MaximumAge}
	if s.Organization != nil {
		o := s.Organization.Flat()
		out.Organization = &o
	}
	return out
}

// Flat returns the organization's one-to-one fields.
func (o Organization) Flat() Organization {
	return Organization{ID: o.ID, Name: o.Name, Description: o.Description, Email: o.Email, Website: o.Website,
		LegalStatus: o.LegalStatus}
}

// Flat returns the location's one-to-one fields.
func (l Location) Flat() Location {
	return Location{ID: l.ID, LocationType: l.LocationType, OrganizationID: l.OrganizationID, Name: l.Name,
		Description: l.Description, Latitude: l.Latitude, Longitude: l.Longitude,
		ExternalIdentifier: l.ExternalIdentifier, ExternalIdentifierType: l.ExternalIdentifierType}
}

// Flat returns the service at location's one-to-one fields, with its location's
// and its service's.
func (sal ServiceAtLocation) Flat(s Service) ServiceAtLocation {
	out := ServiceAtLocation{ID: sal.ID, ServiceID: sal.ServiceID, LocationID: sal.LocationID, Description: sal.Description}
	if sal.Location != nil {
		l := sal.Location.Flat()
		out.Location = &l
	}
	fs := s.Flat()
	out.Service = &fs
	return out
}
