package dev.agentkernel.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code oci-layout} marker file of an OCI image layout. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OciLayoutJson(@JsonProperty("imageLayoutVersion") String imageLayoutVersion) {
}
