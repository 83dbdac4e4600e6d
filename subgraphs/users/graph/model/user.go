package model

// User is the GraphQL view of a user. Email holds the stored address; the
// email field resolver decides per request whether the caller may see it,
// so it is never serialized directly.
type User struct {
	ID        string `json:"_id"`
	Username  string `json:"username"`
	Email     *string
	CreatedAt string `json:"createdAt"`
	// IssuedTo is true when this user was just authenticated by the request
	// itself (registerUser, login): the caller proved to be the user, though
	// the request carried no token yet, so it may see the email.
	IssuedTo bool
}

// IsEntity marks User as a federation entity for the generated _entities code.
func (User) IsEntity() {}
