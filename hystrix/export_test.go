package hystrix

// UniqueName is uniqueName for the external test package.
var UniqueName = uniqueName
