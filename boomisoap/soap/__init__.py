"""zeep glue: the WSDL parsed once per process, envelopes built by zeep, faults mapped."""
