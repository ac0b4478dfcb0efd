# crier as a container: one static binary, no shell.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/crier ./cmd/crier \
 && mkdir -p /out/data /out/inbox

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/crier /usr/local/bin/crier
# Volumes start with the image's ownership: writable by the nonroot user.
COPY --from=build --chown=nonroot:nonroot /out/data /data
COPY --from=build --chown=nonroot:nonroot /out/inbox /inbox
# Feeds, pages and the ingest API.
EXPOSE 8080
VOLUME ["/data", "/inbox"]
ENTRYPOINT ["/usr/local/bin/crier"]
CMD ["serve", "--config", "/etc/crier/crier.yaml"]
