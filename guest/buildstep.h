/* The native builder's helpers (see buildstep.c): agent build-run, build-xattrs and build-mount. */
#ifndef AGENT_BUILDSTEP_H
#define AGENT_BUILDSTEP_H

/* argv[1] is "build-run", "build-xattrs" or "build-mount"; returns the exit status. */
int buildstep_main(int argc, char **argv);

#endif
