# WeMi Bot: a small static image that runs as a non-root user.
#   docker build -t wemibot .
#   docker run -p 8080:8080 wemibot
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binary: no libc needed at run time; time zones are embedded (time/tzdata).
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/wemibot ./cmd/wemibot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wemibot /wemibot
COPY --from=build --chown=65532:65532 /out/data /data
ENV WEMI_HTTP_ADDR=:8080 \
    WEMI_DATA_DIR=/data \
    WEMI_LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
VOLUME ["/data"]
HEALTHCHECK NONE
ENTRYPOINT ["/wemibot"]
CMD ["serve"]
