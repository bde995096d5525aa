"""Files to chunks: loaders per format, cleaning, manifest metadata, chunking, the job."""
