// authorization: owned by its service's issue.
export {};
