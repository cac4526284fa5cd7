// Access patterns of the authorization service.
export {};
