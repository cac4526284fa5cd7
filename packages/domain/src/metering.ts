// metering: owned by its service's issue.
export {};
