package model

// User is the GraphQL view of a user. Email and CreatedAt hold the stored
// values of the account's private fields; their field resolvers decide
// per request whether the caller may see them, so they are never
// serialized directly.
type User struct {
	ID        string `json:"_id"`
	Username  string `json:"username"`
	Email     *string
	CreatedAt string
	// Staff and Scopes hold the stored staff fields; their resolvers
	// decide who may see them.
	Staff  bool
	Scopes []string
	// IssuedTo is true when this user was just authenticated by the request
	// itself (registerUser, login): the caller proved to be the user, though
	// the request carried no token yet, so it may see the private fields.
	IssuedTo bool
}

// IsEntity marks User as a federation entity for the generated _entities code.
func (User) IsEntity() {}
