// plug: owned by its service's issue.
export {};
