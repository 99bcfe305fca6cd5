/* The native builder's helpers (see buildstep.c): agent build-run and agent build-xattrs. */
#ifndef AGENT_BUILDSTEP_H
#define AGENT_BUILDSTEP_H

/* argv[1] is "build-run" or "build-xattrs"; returns the exit status. */
int buildstep_main(int argc, char **argv);

#endif
